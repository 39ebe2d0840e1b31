import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operationExecutionName } from '../../functions/core/deployments/operations.ts';
import { freePort } from '../../functions/local/ports.ts';
import { stateMachineArn, WAIT_HEADER } from '../../functions/local/sfn-protocol.ts';
import { connectorFiles, zipBytes } from '../fixtures/connectors.ts';
import type { JsonBody } from '../helpers.ts';

/**
 * `npm start` killed as in a crash (SIGKILL of its whole process group) and started again on
 * the same data dir: what was Deployed is hosted again on its url, and what was in progress
 * is finished by the reaper (Failed, the project's lock released).
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-restart-'));

/** A newcomer's environment (none of the test stack's endpoints, table or key), plus `extra`. */
const newcomerEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(SLIPWAY_|AWS_(ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY|REGION))/.test(name),
    ),
  ),
  ...extra,
});

interface Started {
  child: ChildProcess;
  url: string;
  token: string;
  /** What `npm start` wrote to `<dataDir>/runtime.json`: its endpoints, among them the hosting service's. */
  env: Record<string, string>;
  output: () => string;
}

/** Every group this file started, so a failed assertion cannot leave a service (and its JVM) running. */
const startedGroups: number[] = [];

/** Resolves once the admin token line is printed; rejects if the process exits first or 30 s pass. */
const start = (port: number): Promise<Started> =>
  new Promise((resolveStart, reject) => {
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      // The reaper leaves locks younger than this alone; the held deployment's is older by restart.
      env: newcomerEnv({ SLIPWAY_DATA_DIR: dataDir, PORT: String(port), SLIPWAY_REAPER_GRACE_SECONDS: '1' }),
      detached: true, // its own process group, so the test can kill it as a whole
    });
    if (child.pid) startedGroups.push(child.pid);
    let output = '';
    let ready = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (ready) return;
      const url = /^Slipway ready at (\S+)$/m.exec(output)?.[1];
      const token = /^Admin token: (\S+)$/m.exec(output)?.[1];
      if (url && token) {
        ready = true;
        const runtime = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
        resolveStart({ child, url, token, env: runtime.env, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before ready:\n${output}`)));
    setTimeout(
      () => reject(new Error(`npm start printed no ready lines within 30 s:\n${output}`)),
      30_000,
    ).unref();
  });

/** The live (not zombie) processes of a process group. */
const processesInGroup = (pgid: number): string[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=,stat=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '' && !/^\s*\d+\s+Z/.test(line));
  } catch {
    return []; // ps exits 1 when nothing matches
  }
};

/** Killed processes leave the table a moment later; there is no event to await, so poll it. */
const groupEmpties = async (pgid: number): Promise<string[]> => {
  for (let i = 0; i < 100 && processesInGroup(pgid).length > 0; i++)
    await new Promise((r) => setTimeout(r, 100));
  return processesInGroup(pgid);
};

const killGroup = (pgid: number, signal: NodeJS.Signals) => {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
};

/** A request to an instance's API; the body is sent as JSON. */
const call = async (instance: Started, path: string, body?: unknown) => {
  const res = await fetch(`${instance.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${instance.token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as JsonBody };
};

/**
 * Stores the connector as an upload: the presigned PUT, then the upload read until storage's
 * event (another process's S3 notification) has moved it out of `pending`, bounded, 10 ms apart.
 */
const storeUpload = async (instance: Started, projectKey: string): Promise<string> => {
  const signature = (await call(instance, `/${projectKey}/uploads`, {})).body;
  const stored = await fetch(signature.url, {
    method: 'PUT',
    headers: signature.headers,
    body: zipBytes(connectorFiles()),
  });
  expect(stored.status).toBe(200);
  for (let i = 0; i < 500; i++) {
    const upload = (await call(instance, `/${projectKey}/uploads/${signature.id}`)).body;
    if (upload.status !== 'pending') {
      expect(upload.status).toBe('uploaded');
      return signature.id;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`upload ${signature.id} never left pending`);
};

/** Creates a deployment of the connector; answers the response (201 and the Queued deployment, when accepted). */
const deploy = async (instance: Started, projectKey: string) =>
  call(instance, `/${projectKey}/deployments`, {
    artifact: { uploadId: await storeUpload(instance, projectKey) },
    region: 'local',
    configurations: [
      { applicationName: 'service-app', securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: 's' }] },
    ],
    globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
  });

const readDeployment = async (instance: Started, projectKey: string, id: string) => {
  const { status, body } = await call(instance, `/${projectKey}/deployments/${id}`);
  expect(status, JSON.stringify(body)).toBe(200);
  return body;
};

/** A call to an instance's local Step Functions endpoint (its local extensions included). */
const sfn = async (
  instance: Started,
  operation: string,
  body: unknown,
  headers: Record<string, string> = {},
) => {
  const res = await fetch(instance.env.AWS_ENDPOINT_URL_SFN ?? '', {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': `AWSStepFunctions.${operation}`,
      authorization: `AWS4-HMAC-SHA256 Credential=${instance.env.AWS_ACCESS_KEY_ID}/local/states/aws4_request`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as JsonBody;
  expect(res.status, JSON.stringify(json)).toBe(200);
  return json;
};

/** DescribeExecution of a deployment's deploy execution; with `waitMs`, once it has ended (or the wait is over). */
const deployExecution = (instance: Started, d: JsonBody, waitMs?: number) => {
  const name = operationExecutionName({
    operation: 'deploy',
    deploymentId: d.id,
    operationId: d.details.build.id,
  });
  const executionArn = `${stateMachineArn('slipway-deploy').replace(':stateMachine:', ':execution:')}:${name}`;
  return sfn(
    instance,
    'DescribeExecution',
    { executionArn },
    waitMs === undefined ? {} : { [WAIT_HEADER]: String(waitMs) },
  );
};

/** What an instance's local hosting service runs. */
const hostedApplications = async (instance: Started): Promise<JsonBody[]> => {
  const res = await fetch(`${instance.env.SLIPWAY_LOCAL_HOSTING_URL}/applications`, {
    headers: { authorization: `Bearer ${instance.env.SLIPWAY_LOCAL_HOSTING_TOKEN}` },
  });
  expect(res.status).toBe(200);
  return (await res.json()) as JsonBody[];
};

const serviceUrl = (d: JsonBody): string =>
  d.applications.find((a: JsonBody) => a.applicationName === 'service-app')?.url;

let current: Started | undefined;
/** Process groups of hosted applications, of either run: afterAll makes sure none outlives the test. */
const appGroups = new Set<number>();

// The state before the crash and what the crash left, checked by the tests below.
const keptProject = 'kept-across-crash';
const stuckProject = 'stuck-at-crash';
let deployedBefore: JsonBody;
let serviceBefore: JsonBody;
let queuedBefore: JsonBody;
let queuedExecutionStatus: string;
let serviceGroupAfterKill: string[];
/** The server's port, the same for both runs. */
let port: number;

beforeAll(async () => {
  port = await freePort();
  const first = await start(port);
  current = first;

  // A Deployed deployment, its service hosted.
  expect((await call(first, '/projects', { key: keptProject })).status).toBe(201);
  const created = await deploy(first, keptProject);
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  expect((await deployExecution(first, created.body, 60_000)).status).toBe('SUCCEEDED');
  deployedBefore = await readDeployment(first, keptProject, created.body.id);
  for (const app of await hostedApplications(first)) if (app.pid) appGroups.add(app.pid);
  serviceBefore = (await hostedApplications(first)).find(
    (a) => a.deploymentId === created.body.id && a.applicationName === 'service-app',
  );

  // A deployment in progress: its execution started but held, so it stays Queued and RUNNING.
  expect((await call(first, '/projects', { key: stuckProject })).status).toBe(201);
  await sfn(first, 'SlipwayHoldExecutions', {
    stateMachineArn: stateMachineArn('slipway-deploy'),
    hold: true,
  });
  const queued = await deploy(first, stuckProject);
  expect(queued.status, JSON.stringify(queued.body)).toBe(201);
  queuedExecutionStatus = (await deployExecution(first, queued.body)).status;
  // Read back, as stored: DynamoDB Local answers a TransactWriteItems a few milliseconds before
  // it has committed it (its next request waits for the commit), so a kill right after the 201
  // could lose the deployment, which is not the crash this test is about.
  queuedBefore = await readDeployment(first, stuckProject, queued.body.id);

  // The crash: the whole `npm start` group at once, no shutdown code runs.
  killGroup(first.child.pid ?? 0, 'SIGKILL');
  expect(await groupEmpties(first.child.pid ?? 0)).toEqual([]);
  // Hosted applications run in their own groups: the crash leaves them running, on their ports.
  serviceGroupAfterKill = serviceBefore ? processesInGroup(serviceBefore.pid) : [];

  current = await start(port);
}, 60_000);

afterAll(async () => {
  if (current) {
    try {
      for (const app of await hostedApplications(current)) if (app.pid) appGroups.add(app.pid);
    } catch {
      // the instance is not answering: the groups recorded so far are all there is to clean
    }
    // Stopped as Ctrl-C stops it: the whole foreground group, which stops what it hosts.
    killGroup(current.child.pid ?? 0, 'SIGTERM');
    await groupEmpties(current.child.pid ?? 0);
  }
  for (const pgid of [...startedGroups, ...appGroups])
    if (processesInGroup(pgid).length > 0) killGroup(pgid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm start, killed and started again on the same data dir', () => {
  it('hosts a Deployed deployment again: its service answers on the same url, with its configuration', async () => {
    const instance = current as Started;
    const url = serviceUrl(deployedBefore);
    // The state before the crash: Deployed, the service answering, its group alive after the kill.
    expect(deployedBefore.status).toBe('Deployed');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/apps\/[^/]+\/[^/]+\/service-app\/service$/);
    // The address is the server's (stable across builds and restarts), not the app's own port.
    expect(Number(new URL(url).port)).toBe(port);
    expect(serviceBefore).toMatchObject({ running: true, port: expect.any(Number) });
    expect(serviceGroupAfterKill, 'the crash left the hosted service running').not.toEqual([]);

    const after = await readDeployment(instance, keptProject, deployedBefore.id);
    const answer = await fetch(url);
    const seen = (await answer.json()) as JsonBody;
    const applications = await hostedApplications(instance);
    const hosted = applications.find(
      (a) => a.deploymentId === deployedBefore.id && a.applicationName === 'service-app',
    );

    expect(after.status).toBe('Deployed');
    expect(serviceUrl(after)).toBe(url);
    expect(answer.status).toBe(200);
    // Its environment came back from the sealed registry.
    expect(seen).toMatchObject({
      path: '/service',
      env: { CTP_REGION: 'europe-west1.gcp', GLOBAL_FLAG: 'on' },
    });
    // The stale process of the killed run was stopped, and a new one holds the recorded port.
    expect(hosted, JSON.stringify(applications)).toMatchObject({ running: true, port: serviceBefore.port });
    expect(hosted.pid).not.toBe(serviceBefore.pid);
    expect(processesInGroup(serviceBefore.pid)).toEqual([]);
  });

  it('fails the deployment whose workflow was running, and releases its project', async () => {
    const instance = current as Started;
    expect(queuedBefore.status).toBe('Queued');
    expect(queuedExecutionStatus).toBe('RUNNING');

    // The reaper's first run happens while the server starts, before the gateway takes
    // requests: by the time the ready line is printed, the deployment is finished.
    const reaped = await readDeployment(instance, stuckProject, queuedBefore.id);

    expect(reaped.status).toBe('Failed');
    expect(reaped.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Error',
      title: 'The workflow did not finish',
      message: expect.stringContaining('execution is gone'),
    });

    // The lock is released: the project takes a new deployment, which goes through.
    const next = await deploy(instance, stuckProject);
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect((await deployExecution(instance, next.body, 60_000)).status).toBe('SUCCEEDED');
    expect((await readDeployment(instance, stuckProject, next.body.id)).status).toBe('Deployed');
  }, 30_000);
});
