import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { type Server, startServer } from '../fixtures/server.ts';
import { readNaively } from '../fixtures/sse-readers.ts';

/**
 * `npm start` as a supervisor, tried the way a failing machine tries it: DynamoDB Local killed
 * (`kill -9`) and stalled (SIGSTOP) under it, and a hosted application killed, once and in a
 * loop. Requests meanwhile answer 503 with Retry-After (never 500), the database comes back
 * without a restart of the service, the deployment in progress still ends, the application is
 * restarted and its address answers 503 while it is down; a crash loop is reported.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
type Json = any;

/** One attempt of a dependency call may take 2 s here (5 s by default): a stall shows sooner. */
const TIMEOUT_MS = 2_000;
let server: Server;

const figures: Record<string, number> = {};

beforeAll(async () => {
  server = await startServer({ env: { SLIPWAY_DEPENDENCY_TIMEOUT_MS: String(TIMEOUT_MS) } });
}, 120_000);

afterAll(async () => {
  console.log(`supervision figures: ${JSON.stringify(figures)}`);
  await server?.stop();
});

const admin = (path: string, init: RequestInit = {}) =>
  fetch(`${server.url}${path}`, {
    ...init,
    headers: {
      authorization: `Bearer ${server.adminToken}`,
      'content-type': 'application/json',
      ...init.headers,
    },
  });

const store = (path: string, body?: unknown) =>
  fetch(`${server.url}/stores/${server.storeHash}/v3/infrastructure${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-auth-token': server.storeToken, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Starts a BigCommerce deployment of `server.js`; answers its uuid and its project's. */
const startDeployment = async (source: string, project?: string) => {
  const projectUuid =
    project ??
    (
      (await (
        await store('/projects', { name: `sup-${Math.random().toString(36).slice(2, 9)}` })
      ).json()) as Json
    ).data.uuid;
  const { upload_url, upload_uuid } = ((await (await store('/deployments/uploads', {})).json()) as Json).data;
  await fetch(upload_url, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: zipBytes({ 'output/server.js': text(source) }),
  });
  const res = await store('/deployments', { upload_uuid, project_uuid: projectUuid });
  return { project: projectUuid, deployment: ((await res.json()) as Json).data.deployment_uuid as string };
};

/** The deployment's last event: the stream ends with the outcome (reconnecting past its window). */
const outcome = async (deployment: string) => {
  for (;;) {
    const events = await fetch(
      `${server.url}/stores/${server.storeHash}/v3/infrastructure/deployments/${deployment}/events`,
      {
        headers: { 'x-auth-token': server.storeToken },
      },
    );
    const last = (await readNaively(events)).at(-1) as Json;
    if (last?.deployment_status === 'completed' || last?.deployment_status === 'failed') return last;
  }
};

const SERVER = `require('node:http').createServer((q, s) => s.end('up ' + process.pid)).listen(process.env.PORT, '127.0.0.1');`;

/** The DynamoDB Local JVM of this server (its watchdog restarts it as a new process). */
const dynamoPid = (): number => {
  const port = new URL(server.runtimeEnv().AWS_ENDPOINT_URL_DYNAMODB ?? '').port;
  const pids = execFileSync('pgrep', ['-f', `DynamoDBLocal.jar.*-port ${port}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map(Number);
  const java = pids.find((pid) =>
    /java/.test(execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' })),
  );
  if (!java) throw new Error(`no DynamoDB Local on port ${port}`);
  return java;
};

describe('DynamoDB Local killed under a running deployment', () => {
  it('answers 503 with Retry-After meanwhile, never 500, comes back by itself, and the deployment ends', async () => {
    // A build that takes a few seconds, so the deployment is in progress when the database dies.
    const { project, deployment } = await startDeployment(SERVER);
    const killedAt = Date.now();
    process.kill(dynamoPid(), 'SIGKILL');
    const statuses: number[] = [];
    let backAt: number | undefined;
    while (backAt === undefined && Date.now() - killedAt < 60_000) {
      const res = await admin('/projects');
      statuses.push(res.status);
      if (res.status === 503) expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      if (res.status === 200) backAt = Date.now();
      else await res.arrayBuffer();
    }
    expect(statuses.filter((s) => s >= 500 && s !== 503)).toEqual([]);
    expect(statuses).toContain(503);
    expect(backAt).toBeDefined();
    figures.dynamodbBackAfterMs = (backAt ?? 0) - killedAt;
    const health: Json = await (await fetch(`${server.url}/health`)).json();
    expect(health.dependencies.dynamodb).toBe('ok');
    // The deployment in progress still reached an outcome, and the project takes a new one.
    expect(['completed', 'failed']).toContain((await outcome(deployment)).deployment_status);
    const next = await startDeployment(SERVER, project);
    expect((await outcome(next.deployment)).deployment_status).toBe('completed');
  }, 120_000);
});

describe('DynamoDB Local stalled (SIGSTOP) for 20 s', () => {
  it('answers reads 503 within the timeout, then normally once it resumes', async () => {
    const pid = dynamoPid();
    process.kill(pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const res = await admin('/projects');
      figures.stalledReadAnsweredMs = Date.now() - started;
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).not.toBeNull();
      // Two attempts of the timeout at most (the SDK retries once), never the stall's 20 s.
      expect(figures.stalledReadAnsweredMs).toBeLessThan(2 * TIMEOUT_MS + 3_000);
      const health: Json = await (await fetch(`${server.url}/health`)).json();
      expect(health).toMatchObject({ status: 'degraded', dependencies: { dynamodb: 'down' } });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) status = (await admin('/projects')).status;
    expect(status).toBe(200);
  }, 60_000);
});

describe('a hosted application killed', () => {
  let app: { project: string; deployment: string; url: string };

  /** The hosted process of the deployment, from the local hosting service. */
  const hostedPid = async (): Promise<number | undefined> => {
    const env = server.runtimeEnv();
    const list = (await (
      await fetch(`${env.SLIPWAY_LOCAL_HOSTING_URL}/applications`, {
        headers: { authorization: `Bearer ${env.SLIPWAY_LOCAL_HOSTING_TOKEN}` },
      })
    ).json()) as { deploymentId: string; pid?: number; running: boolean }[];
    const entry = list.find((e) => e.deploymentId === app.deployment);
    return entry?.running ? entry.pid : undefined;
  };

  /** Kills the application's whole process group, as the OOM killer or a crash would. */
  const crash = async () => {
    const pid = await hostedPid();
    if (pid === undefined) throw new Error('the application is not running');
    process.kill(-pid, 'SIGKILL');
    return pid;
  };

  const report = async (): Promise<Json[]> => {
    const projects: Json = await (await admin('/projects?limit=500')).json();
    const key = projects.results.find((p: Json) => p.id === app.project).key;
    const d: Json = await (await admin(`/${key}/deployments/${app.deployment}`)).json();
    return d.details.build.report.entries;
  };

  beforeAll(async () => {
    const { project, deployment } = await startDeployment(SERVER);
    const end = await outcome(deployment);
    app = { project, deployment, url: end.deployment_url };
  }, 60_000);

  it('is restarted within seconds, answers 503 meanwhile, and the report says so', async () => {
    const before = await crash();
    const killedAt = Date.now();
    const seen = new Set<number>();
    let body = '';
    for (;;) {
      const res = await fetch(app.url);
      seen.add(res.status);
      body = await res.text();
      if (res.status === 200) break;
      if (Date.now() - killedAt > 30_000) throw new Error(`not back: ${[...seen]}`);
    }
    figures.applicationBackAfterMs = Date.now() - killedAt;
    expect([...seen].filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(body).not.toBe(`up ${before}`);
    expect(await report()).toContainEqual(
      expect.objectContaining({ type: 'Warning', title: 'Application restarted', application: 'output' }),
    );
  }, 60_000);

  it('is reported crashed, and left down, after ending again and again', async () => {
    // Killed each time it is back (a new process): five ends within the window give up, the
    // restarts between them waiting 1, 2, 4, 8 s (the backoff).
    let last = -1;
    for (let ends = 1; ends < 5; ends++) {
      let pid: number | undefined;
      for (let t = 0; t < 400 && (pid === undefined || pid === last); t++) {
        pid = await hostedPid();
        if (pid === undefined || pid === last) await new Promise((r) => setTimeout(r, 100));
      }
      if (pid === undefined || pid === last) throw new Error('the application did not come back');
      last = await crash();
    }
    for (let t = 0; t < 100; t++) {
      if ((await report()).some((e) => e.type === 'Error' && e.title === 'Application crashed')) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await report()).toContainEqual(
      expect.objectContaining({ type: 'Error', title: 'Application crashed', application: 'output' }),
    );
    expect((await fetch(app.url)).status).toBe(503);
  }, 90_000);
});
