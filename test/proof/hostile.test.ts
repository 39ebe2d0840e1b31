import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceDir } from '../../functions/local/stack.ts';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { HOSTILE_SERVER } from '../fixtures/hostile-app.ts';
import { ROOT, type Server, startServer } from '../fixtures/server.ts';
import { readNaively } from '../fixtures/sse-readers.ts';

/**
 * A hostile tenant's application under `npm start`, attempt by attempt: Slipway's keys and data,
 * another deployment's files, the server's environment, writes outside its folder, the embedded
 * services' ports, listening beyond loopback, memory, processes and a log flood. CI runs as
 * root, so `npm start` contains tenants' code in its `user` mode; as another user the mode is
 * `node-permission` (tested at unit level in test/unit/sandbox.test.ts) and this file checks
 * only what that mode promises.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
type Json = any;

const LIMITS = {
  SLIPWAY_LIMIT_APP_MEMORY_MB: '256',
  SLIPWAY_LIMIT_PROCESSES: '48',
  SLIPWAY_LIMIT_LOG_LINES_PER_MINUTE: '500',
};
const TMP_FILE = `/tmp/slipway-hostile-${process.pid}-${Date.now()}`;

let server: Server;
let mode: string;
let victim: { project: string; deployment: string; url: string };
let hostile: { project: string; deployment: string; url: string };

const call = async (path: string, body?: unknown): Promise<Json> => {
  const res = await fetch(`${server.url}/stores/${server.storeHash}/v3/infrastructure${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-auth-token': server.storeToken, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return res.json();
};

/** Deploys a Catalyst bundle (output/server.js) with plain environment variables; answers its last event. */
const deploy = async (source: string, env: Record<string, string> = {}) => {
  const project = (await call('/projects', { name: `hostile-${Math.random().toString(36).slice(2, 10)}` }))
    .data.uuid;
  const { upload_url, upload_uuid } = (await call('/deployments/uploads', {})).data;
  await fetch(upload_url, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: zipBytes({ 'output/server.js': text(source) }),
  });
  const environment_variables = Object.entries(env).map(([key, value]) => ({
    type: 'plain_text',
    key,
    value,
  }));
  const deployment = (
    await call('/deployments', { upload_uuid, project_uuid: project, environment_variables })
  ).data.deployment_uuid;
  const events = await fetch(
    `${server.url}/stores/${server.storeHash}/v3/infrastructure/deployments/${deployment}/events`,
    {
      headers: { 'x-auth-token': server.storeToken },
    },
  );
  const end = (await readNaively(events)).at(-1) as { deployment_status: string; deployment_url: string };
  expect(end.deployment_status, JSON.stringify(end)).toBe('completed');
  return { project, deployment, url: end.deployment_url };
};

/** The deployment in the Connect dialect (its report), by its project's key. */
const connectView = async (d: { project: string; deployment: string }): Promise<Json> => {
  const auth = { authorization: `Bearer ${server.adminToken}` };
  const projects: Json = await (await fetch(`${server.url}/projects?limit=500`, { headers: auth })).json();
  const key = projects.results.find((p: Json) => p.id === d.project).key;
  return (await fetch(`${server.url}/${key}/deployments/${d.deployment}`, { headers: auth })).json();
};

/** Resolves once the deployment's report holds an entry matching `title` (the supervisor writes it). */
const untilReported = async (d: { project: string; deployment: string }, pattern: RegExp): Promise<Json> => {
  for (let i = 0; i < 150; i++) {
    const entry = (await connectView(d)).details.build.report.entries.find((e: Json) =>
      pattern.test(`${e.title} ${e.message ?? ''}`),
    );
    if (entry) return entry;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no report entry matched ${pattern}`);
};

const get = async (url: string) => (await fetch(url)).json() as Promise<Json>;

beforeAll(async () => {
  server = await startServer({ env: LIMITS });
  mode = /^Sandbox: (.*)$/m.exec(server.output())?.[1] ?? '';
  victim = await deploy(
    `require('node:http').createServer((q, s) => s.end('victim')).listen(process.env.PORT, '127.0.0.1');`,
  );
  const runtime = server.runtimeEnv();
  const targets = {
    dataDir: server.dataDir,
    otherWorkspace: join(defaultWorkspaceDir(server.dataDir), victim.deployment),
    serverPid: (JSON.parse(readFileSync(join(server.dataDir, 'runtime.json'), 'utf8')) as { pid: number })
      .pid,
    checkout: ROOT,
    tmpFile: TMP_FILE,
    dynamodb: runtime.AWS_ENDPOINT_URL_DYNAMODB,
    s3: runtime.AWS_ENDPOINT_URL_S3,
    sfn: runtime.AWS_ENDPOINT_URL_SFN,
    bucket: runtime.SLIPWAY_BUCKET_NAME,
    forks: '80',
    floodLines: '3000',
  };
  hostile = await deploy(HOSTILE_SERVER, { TARGETS: JSON.stringify(targets) });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

const root = process.getuid?.() === 0;

describe.runIf(root)('a hostile application, with npm start running as root', () => {
  it('runs in the per-deployment user mode, and says so at start', () => {
    expect(mode).toMatch(/runs as its own user/);
  });

  it("cannot read Slipway's keys, runtime record or data folder, nor another deployment's files", async () => {
    const r = await get(`${hostile.url}attacks`);
    for (const name of ['readJwtKey', 'readSecretsKey', 'readRuntime', 'listDataDir', 'listOtherWorkspace'])
      expect(r[name], name).toEqual({ ok: false, code: expect.stringMatching(/^(EACCES|ENOENT|EPERM)$/) });
  });

  it("cannot read the server's environment, nor write outside its own folder", async () => {
    const r = await get(`${hostile.url}attacks`);
    expect(r.readServerEnviron).toEqual({
      ok: false,
      code: expect.stringMatching(/^(EACCES|EPERM|ENOENT)$/),
    });
    for (const name of ['writeDataDir', 'writeOtherWorkspace', 'writeCheckout'])
      expect(r[name], name).toEqual({
        ok: false,
        code: expect.stringMatching(/^(EACCES|ENOENT|EPERM|EROFS)$/),
      });
    expect(existsSync(join(server.dataDir, 'pwned'))).toBe(false);
    expect(existsSync(join(ROOT, 'pwned'))).toBe(false);
    // /tmp is its own (a private mount): what it wrote there is not in the machine's /tmp.
    if (/private \/tmp/.test(mode)) expect(existsSync(TMP_FILE)).toBe(false);
  });

  it('holds nothing of Slipway in its environment', async () => {
    const r = await get(`${hostile.url}attacks`);
    expect(r.ownEnvironment.filter((k: string) => /^(SLIPWAY_|AWS_|npm_)/.test(k))).toEqual([]);
    expect(r.ownEnvironment).toEqual(expect.arrayContaining(['PORT', 'HOST', 'TARGETS']));
  });

  it("reaches none of Slipway's data through the embedded services' ports", async () => {
    const r = await get(`${hostile.url}attacks`);
    // DynamoDB Local keeps one database per access key id: a guessed one sees an empty one.
    expect(r.dynamodbTables).toEqual({ ok: true, value: [] });
    expect(r.s3Anonymous).toEqual({ ok: true, value: 403 });
    expect(r.stepFunctionsUnsigned).toEqual({ ok: true, value: 400 });
  });

  it('cannot sign a token the API accepts', async () => {
    const forged = await new SignJWT({ tenant: server.storeHash, scopes: ['admin'], client_id: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a guess at the key, which it could not read'));
    const res = await fetch(`${server.url}/projects`, { headers: { authorization: `Bearer ${forged}` } });
    expect(res.status).toBe(401);
  });

  it('cannot start more processes than its limit', async () => {
    const r = await get(`${hostile.url}fork`);
    expect(r.refused).toBeGreaterThan(0);
    expect(r.started).toBeLessThan(Number(LIMITS.SLIPWAY_LIMIT_PROCESSES));
  });

  it('has its log flood cut at the limit, with a line saying so', async () => {
    await get(`${hostile.url}flood`);
    const auth = { authorization: `Bearer ${server.adminToken}` };
    const projects: Json = await (await fetch(`${server.url}/projects?limit=500`, { headers: auth })).json();
    const projectKey = projects.results.find((p: Json) => p.id === hostile.project).key;
    /** Every log line of the deployment, page after page. */
    const allLines = async () => {
      const out: string[] = [];
      let token: string | null = null;
      do {
        const query = token ? `&pageToken=${encodeURIComponent(token)}` : '';
        const page: Json = await (
          await fetch(
            `${server.url}/${projectKey}/deployments/${hostile.deployment}/logs?limit=500${query}`,
            {
              headers: auth,
            },
          )
        ).json();
        out.push(...page.data.map((l: Json) => String(l.details.message)));
        token = page.next;
      } while (token);
      return out;
    };
    // The logs arrive in half-second batches: read until the marker is there.
    let lines: string[] = [];
    for (let i = 0; i < 100 && !lines.some((l) => l.includes('over the log limit')); i++) {
      lines = await allLines();
      if (!lines.some((l) => l.includes('over the log limit'))) await new Promise((r) => setTimeout(r, 200));
    }
    expect(lines.filter((l) => l.startsWith('flood line ')).length).toBeLessThanOrEqual(
      Number(LIMITS.SLIPWAY_LIMIT_LOG_LINES_PER_MINUTE),
    );
    expect(lines.some((l) => l.includes('over the log limit'))).toBe(true);
  });

  it('is stopped and restarted when it listens beyond loopback, with a report entry saying why', async () => {
    await get(`${hostile.url}listen`);
    const entry = await untilReported(hostile, /address other than 127\.0\.0\.1/);
    expect(entry).toMatchObject({ type: 'Warning', application: 'output' });
    // Back, at the same address, once restarted.
    await untilAnswering(hostile.url);
  }, 60_000);

  it('is stopped and restarted when it uses more memory than its limit, with a report entry naming it', async () => {
    await fetch(`${hostile.url}alloc`);
    const entry = await untilReported(hostile, /memory, over its limit of 256 MB/);
    expect(entry).toMatchObject({ type: 'Warning', application: 'output' });
    await untilAnswering(hostile.url);
    // The other deployment never noticed.
    expect(await (await fetch(victim.url)).text()).toBe('victim');
  }, 60_000);
});

/** Asks until the address answers 200 (the application is back after a restart). */
const untilAnswering = async (url: string) => {
  for (let i = 0; i < 150; i++) {
    const res = await fetch(url).catch(() => undefined);
    if (res?.status === 200) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer again`);
};
