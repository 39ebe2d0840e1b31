/**
 * The deploy and undeploy workflows end to end on the embedded stack: the state machines run
 * in the local Step Functions endpoint, builds and scripts run as real child processes, and the
 * applications are hosted as real processes (service, job, event) and served files (assets).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { operationExecutionName } from '../../functions/core/deployments/operations.ts';
import { reapStuckOperations } from '../../functions/core/deployments/reaper.ts';
import { failOperation } from '../../functions/core/deployments/workflow/failure.ts';
import { markDeployed } from '../../functions/core/deployments/workflow/host.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { reaperDeps } from '../../functions/wiring/reaper.ts';
import { transitionDeps as workflowDeps } from '../../functions/wiring/transition.ts';
import { connectorFiles, storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import {
  forgetExecution,
  holdExecutions,
  hostedOf,
  hostingCall,
  injectFault,
  operationEnd,
} from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
/** The run's secret canary: no response and no log line may ever hold it (see test/global-setup.ts). */
const CANARY = inject('canary');
let token: string;

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
});

const newProject = async (settings: Record<string, unknown> = {}) => {
  const key = uniqueKey('wf');
  expect((await api('/projects', { token, body: { key, ...settings } })).status).toBe(201);
  return key;
};

type Files = ReturnType<typeof connectorFiles>;

/** Deploys `files` straight from an upload, with the values CONNECT_YAML needs. */
const deploy = async (
  projectKey: string,
  files: Files = connectorFiles(),
  extra: Record<string, unknown> = {},
) => {
  const uploadId = await storeUpload(token, projectKey, zipBytes(files));
  const res = await api(`/${projectKey}/deployments`, {
    token,
    body: {
      artifact: { uploadId },
      region: 'local',
      configurations: [
        {
          applicationName: 'service-app',
          standardConfiguration: [{ key: 'CTP_REGION', value: 'eu' }],
          securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: CANARY }],
        },
      ],
      globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
      ...extra,
    },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as JsonBody;
};

const read = async (projectKey: string, id: string) =>
  (await api(`/${projectKey}/deployments/${id}`, { token })).json();

/** Every log line of a deployment (one page is plenty here). */
const logLines = async (projectKey: string, id: string): Promise<string[]> => {
  const body = await (await api(`/${projectKey}/deployments/${id}/logs?limit=500`, { token })).json();
  return body.data.map((l: JsonBody) => `${l.applicationName}: ${l.details.message}`);
};

/** Asks the recording app on `port` what it has seen, until `done` says it has seen enough. */
const untilSeen = async (port: number, done: (seen: JsonBody) => boolean): Promise<JsonBody> => {
  for (;;) {
    const seen = await (await fetch(`http://127.0.0.1:${port}/`)).json();
    if (done(seen)) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

const withFiles = (changes: Record<string, string | undefined>): Files => {
  const files: Files = connectorFiles();
  for (const [name, content] of Object.entries(changes)) {
    if (content === undefined) delete files[`my-connector/${name}`];
    else files[`my-connector/${name}`] = text(content);
  }
  return files;
};

/** The project takes a new deployment: the lock was released. */
const expectLockReleased = async (projectKey: string) => {
  const next = await deploy(projectKey);
  expect(await operationEnd(next)).toBe('SUCCEEDED');
};

describe('deploying', () => {
  let projectKey: string;
  let deployment: JsonBody;
  /** The service of the build the redeploy replaced: on standby until the undeploy stops it. */
  let oldService: JsonBody;

  beforeAll(async () => {
    projectKey = await newProject();
    const created = await deploy(projectKey, connectorFiles(), {
      configurations: [
        {
          applicationName: 'service-app',
          standardConfiguration: [{ key: 'CTP_REGION', value: 'eu' }],
          securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: CANARY }],
        },
        // Every second, instead of connect.yaml's five minutes: the test sees it fire.
        { applicationName: 'job-app', schedule: '*/1 * * * * *' },
      ],
    });
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    deployment = await read(projectKey, created.id);
  }, 60_000);

  it('ends Deployed, with a url for the service and the assets, a topic for the event app, a schedule for the job', () => {
    const app = (name: string) => deployment.applications.find((a: JsonBody) => a.applicationName === name);

    expect(deployment.status).toBe('Deployed');
    // Its stable address, through the gateway: the same for every build of the deployment.
    expect(app('service-app').url).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/apps\/[^/]+\/[^/]+\/service-app\/service$/,
    );
    expect(app('assets-app').url).toMatch(/\/assets\/.+\/assets-app\/$/);
    expect(app('event-app').topic).toBe(`slipway-${deployment.id}-event-app`);
    expect(app('job-app').schedule).toBe('*/1 * * * * *');
    expect(deployment.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Information',
      title: 'Deployed',
    });
  });

  it('runs the service: it answers on its url with its configuration, defaults included', async () => {
    const url = deployment.applications.find((a: JsonBody) => a.applicationName === 'service-app').url;
    const seen = await (await fetch(url)).json();

    expect(seen).toMatchObject({ path: '/service', env: { CTP_REGION: 'eu', GLOBAL_FLAG: 'on' } });
  });

  it('serves the assets read-only through the gateway', async () => {
    const url = deployment.applications.find((a: JsonBody) => a.applicationName === 'assets-app').url;
    const page = await fetch(url);

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('assets ok');
    expect((await fetch(`${url}..%2f..%2fconnect.yaml`)).status).toBe(404);
  });

  it('fires the job on its schedule', async () => {
    const [job] = (await hostedOf(deployment.id)).filter((h) => h.applicationName === 'job-app');
    const seen = await untilSeen(job.port, (s) => s.posts >= 1);

    expect(seen.posts).toBeGreaterThanOrEqual(1);
  });

  it('delivers a message published to the event app’s topic, in Pub/Sub push form', async () => {
    const topic = deployment.applications.find((a: JsonBody) => a.applicationName === 'event-app').topic;
    const published = await hostingCall(`/topics/${topic}/messages`, { data: { orderId: 'o-1' } });
    const [event] = (await hostedOf(deployment.id)).filter((h) => h.applicationName === 'event-app');
    const seen = await untilSeen(event.port, (s) => s.posts >= 1);

    expect(published).toMatchObject({ delivered: true });
    expect(JSON.parse(Buffer.from(seen.last.message.data, 'base64').toString('utf8'))).toEqual({
      orderId: 'o-1',
    });
  });

  it('ran postDeploy with the configuration and the service url; its output is logged, the secret redacted', async () => {
    const lines = await logLines(projectKey, deployment.id);
    const url = deployment.applications.find((a: JsonBody) => a.applicationName === 'service-app').url;

    expect(lines).toContain(`service-app: postDeploy region=eu url=${url} secret=****`);
    expect(lines.join('\n')).not.toContain(CANARY);
  });

  it('recorded every step, in order, with its progress', async () => {
    const events = await reaperDeps.events.list(deployment.id);

    expect(events.map((e) => e.step)).toEqual([
      'initializing',
      'downloading',
      'unzipping',
      'processing',
      'deploying',
      'finalizing',
      'complete',
    ]);
    expect(events.map((e) => e.progress)).toEqual([...events.map((e) => e.progress)].sort((a, b) => a - b));
    expect(events.at(-1)).toMatchObject({ status: 'Deployed', progress: 100 });
  });

  it('published each status change on the bus', () => {
    const published = readFileSync(inject('eventsFile'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l))
      .filter((e) => e.deploymentId === deployment.id);

    expect(published.map((e) => e.status)).toEqual(['Queued', 'Deploying', 'Deployed']);
  });

  it('replaces the applications on redeploy with no gap, and takes the old build out of traffic once the new one runs', async () => {
    const before = await hostedOf(deployment.id);
    oldService = before.find((h) => h.applicationName === 'service-app');
    const res = await api(`/${projectKey}/deployments/${deployment.id}`, {
      token,
      body: { version: deployment.version, actions: [{ action: 'redeploy', skipScripts: true }] },
    });
    const redeployed = await res.json();
    expect(await operationEnd(redeployed)).toBe('SUCCEEDED');
    const after = await hostedOf(deployment.id);

    expect(res.status).toBe(201);
    expect(new Set(after.map((h) => h.buildId))).toEqual(new Set([redeployed.details.build.id]));
    // The old build waits on standby for a rollback (functions/local/hosting/standby.ts): out of
    // the hosted list and the address, stopped with the deployment (below).
    expect(after.some((h) => h.port === oldService.port)).toBe(false);
    const current = await read(projectKey, deployment.id);
    const url = current.applications.find((a: JsonBody) => a.applicationName === 'service-app').url;
    expect((await fetch(url)).status).toBe(200);
    deployment = current;
  });

  it('undeploys: preUndeploy runs, the applications stop, the deployment is gone, the project is free', async () => {
    const hosted = await hostedOf(deployment.id);
    const res = await api(`/${projectKey}/deployments/${deployment.id}`, { token, method: 'DELETE' });
    const body = await res.json();
    expect(await operationEnd(body)).toBe('SUCCEEDED');
    const lines = await logLines(projectKey, deployment.id).catch(() => []);

    expect(res.status).toBe(202);
    expect((await api(`/${projectKey}/deployments/${deployment.id}`, { token })).status).toBe(404);
    expect(await hostedOf(deployment.id)).toEqual([]);
    for (const h of [...hosted, oldService].filter((x) => x.port))
      await expect(fetch(`http://127.0.0.1:${h.port}/`)).rejects.toThrow();
    expect(lines.length === 0 || lines.some((l) => l.includes('preUndeploy ran'))).toBe(true);
    await expectLockReleased(projectKey);
  });
});

describe.concurrent('failures', () => {
  const errorEntry = (d: JsonBody) =>
    d.details.build.report.entries.find((e: JsonBody) => e.type === 'Error');

  it('a failing build ends Failed with an Error entry naming the application, and the project is free', async () => {
    const projectKey = await newProject();
    const created = await deploy(
      projectKey,
      withFiles({
        'service-app/package.json':
          '{"scripts":{"start":"node index.js","build":"node -e \\"process.exit(3)\\""}}',
      }),
    );
    expect(await operationEnd(created)).toBe('FAILED');
    const failed = await read(projectKey, created.id);

    expect(failed.status).toBe('Failed');
    expect(errorEntry(failed)).toMatchObject({
      application: 'service-app',
      message: expect.stringContaining('failed'),
    });
    expect((await logLines(projectKey, created.id)).join('\n')).toContain(
      "'npm run build' exited with code 3",
    );
    expect(await hostedOf(created.id)).toEqual([]);
    await expectLockReleased(projectKey);
  });

  it('a build that hangs is stopped at the time limit and the deployment fails', async () => {
    const projectKey = await newProject();
    const created = await deploy(
      projectKey,
      withFiles({
        'service-app/package.json':
          '{"scripts":{"start":"node index.js","build":"node -e \\"setInterval(() => {}, 1000)\\""}}',
      }),
    );
    expect(await operationEnd(created)).toBe('FAILED');
    const failed = await read(projectKey, created.id);

    expect(failed.status).toBe('Failed');
    expect((await logLines(projectKey, created.id)).join('\n')).toContain('did not finish within');
    await expectLockReleased(projectKey);
  }, 30_000);

  it('a failing postDeploy leaves the deployment Deployed with Connect’s Warning', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey, withFiles({ 'service-app/post-deploy.js': 'process.exit(1)' }));
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    const deployed = await read(projectKey, created.id);

    expect(deployed.status).toBe('Deployed');
    expect(deployed.details.build.report.entries).toContainEqual(
      expect.objectContaining({
        type: 'Warning',
        title: "Failed during the execution of 'postDeploy' script",
        application: 'service-app',
      }),
    );
  });

  it('a failing postDeploy fails the deployment when it asks for strict scripts', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey, withFiles({ 'service-app/post-deploy.js': 'process.exit(1)' }), {
      strictScripts: true,
    });
    expect(await operationEnd(created)).toBe('FAILED');
    const failed = await read(projectKey, created.id);

    expect(failed.status).toBe('Failed');
    expect(errorEntry(failed)).toMatchObject({ application: 'service-app' });
    expect(await hostedOf(created.id)).toEqual([]);
    await expectLockReleased(projectKey);
  });

  it('a project can opt into strict scripts for its deployments; a deployment can opt out', async () => {
    const projectKey = await newProject({ strictScripts: true });
    const failing = withFiles({ 'service-app/post-deploy.js': 'process.exit(1)' });
    const strict = await deploy(projectKey, failing);
    expect(await operationEnd(strict)).toBe('FAILED');
    const lenient = await deploy(projectKey, failing, { strictScripts: false });
    expect(await operationEnd(lenient)).toBe('SUCCEEDED');

    expect(strict.strictScripts).toBe(true);
    expect((await read(projectKey, strict.id)).status).toBe('Failed');
    expect((await read(projectKey, lenient.id)).status).toBe('Deployed');
  });
});

describe.concurrent('retried and late steps', () => {
  it('a MarkDeployed or RecordFailure retried after Deployed was written leaves the live build running', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey);
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    const project = await deploymentDeps.projects.get(tenant, projectKey);
    const execution = {
      tenant,
      projectId: String(project?.id),
      deploymentId: created.id,
      operation: 'deploy' as const,
      operationId: created.details.build.id,
    };
    const stored = await workflowDeps.deployments.get(execution.projectId, created.id);

    // As Step Functions would retry them when what follows the Deployed write failed.
    await markDeployed(workflowDeps, execution, {
      builds: stored?.hosted?.applications ?? [],
      hosted: [],
      scripts: [],
    });
    await failOperation(workflowDeps, execution, { step: 'finalizing', error: 'InternalError' });
    const after = await read(projectKey, created.id);
    const url = after.applications.find((a: JsonBody) => a.applicationName === 'service-app').url;

    expect(after).toMatchObject({ status: 'Deployed', version: stored?.version });
    expect((await fetch(url)).status).toBe(200);
    expect((await hostedOf(created.id)).every((h) => h.running)).toBe(true);
  });

  it('a late write that releases a lock another operation holds now still lands, leaving that lock alone', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey);
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    const project = await deploymentDeps.projects.get(tenant, projectKey);
    const d = await workflowDeps.deployments.get(String(project?.id), created.id);
    if (!d) throw new Error('no deployment');
    const other = {
      projectId: d.projectId,
      deploymentId: d.id,
      operation: 'deploy' as const,
      operationId: 'someone-else',
      leaseExpiresAt: '',
    };

    await workflowDeps.deployments.update({ ...d, version: d.version + 1 }, d.version, { release: other });

    expect((await read(projectKey, created.id)).version).toBe(d.version + 1);
  });
});

describe.concurrent('undeploy scripts', () => {
  it('a failing preUndeploy ends UndeployFailed; DELETE ?skipScripts=true then goes through', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey, withFiles({ 'service-app/pre-undeploy.js': 'process.exit(4)' }));
    expect(await operationEnd(created)).toBe('SUCCEEDED');

    const first = await (
      await api(`/${projectKey}/deployments/${created.id}`, { token, method: 'DELETE' })
    ).json();
    expect(await operationEnd(first)).toBe('FAILED');
    const failed = await read(projectKey, created.id);
    const again = await api(`/${projectKey}/deployments/${created.id}?skipScripts=true`, {
      token,
      method: 'DELETE',
    });
    expect(await operationEnd(await again.json())).toBe('SUCCEEDED');

    expect(failed.status).toBe('UndeployFailed');
    expect(failed.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Error',
      application: 'service-app',
      message: expect.stringContaining("'preUndeploy'"),
    });
    expect(again.status).toBe(202);
    expect((await api(`/${projectKey}/deployments/${created.id}`, { token })).status).toBe(404);
    expect(await hostedOf(created.id)).toEqual([]);
  });

  it('refuses a job schedule that cannot run, naming the field', async () => {
    const projectKey = await newProject();
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
    const res = await api(`/${projectKey}/deployments`, {
      token,
      body: {
        artifact: { uploadId },
        region: 'local',
        configurations: [{ applicationName: 'job-app', schedule: '99 99 99 99 99' }],
      },
    });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({
      code: 'InvalidJsonInput',
      field: 'configurations.0.schedule',
    });
  });

  it('refuses a skipScripts that is not true or false, naming it', async () => {
    const projectKey = await newProject();
    const res = await api(`/${projectKey}/deployments/nope?skipScripts=yes`, { token, method: 'DELETE' });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidQueryParam', field: 'skipScripts' });
  });
});

// Every Task of every workflow, made to throw and to time out, is test/proof/faults.test.ts;
// what stays here is the case only this file has: the failure that cannot even be recorded.
describe('a failure that cannot be recorded', () => {
  it('RecordFailure failing too leaves the deployment to the reaper, which fails it and frees the project', async () => {
    const projectKey = await newProject();
    await injectFault('slipway-deploy', 'ReadArtifact', tenant, { error: 'InternalError' });
    await injectFault('slipway-deploy', 'RecordFailure', tenant, { error: 'InternalError' });
    let created: JsonBody;
    try {
      created = await deploy(projectKey);
      expect(await operationEnd(created)).toBe('FAILED');
    } finally {
      await injectFault('slipway-deploy', 'ReadArtifact', tenant, 'clear');
      await injectFault('slipway-deploy', 'RecordFailure', tenant, 'clear');
    }
    expect((await read(projectKey, created.id)).status).toBe('Deploying');

    const report = await reapStuckOperations({ ...reaperDeps, settings: { graceMs: 0 } });
    const reaped = await read(projectKey, created.id);

    expect(report.finished.map((f) => f.deploymentId)).toContain(created.id);
    expect(reaped.status).toBe('Failed');
    expect(reaped.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Error',
      title: 'The workflow did not finish',
      message: expect.stringContaining('ended (FAILED) without recording an outcome'),
    });
    await expectLockReleased(projectKey);
  });
});

describe('cancel', () => {
  it('cancels a queued deployment: Failed with "Canceled", the execution winds down, the project free', async () => {
    const projectKey = await newProject();
    await holdExecutions('slipway-deploy', true);
    let created: JsonBody;
    let res: Awaited<ReturnType<typeof api>>;
    try {
      created = await deploy(projectKey);
      res = await api(`/${projectKey}/deployments/${created.id}`, {
        token,
        body: { version: created.version, actions: [{ action: 'cancel' }] },
      });
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
    const body = await res.json();

    expect(res.status).toBe(200);
    expect(body).toMatchObject({ status: 'Failed', version: created.version + 1 });
    expect(body.details.build.report.entries.at(-1)).toMatchObject({ type: 'Error', title: 'Canceled' });
    // Its first step finds the operation over and the execution ends through RecordFailure.
    expect(await operationEnd(created)).toBe('FAILED');
    expect((await read(projectKey, created.id)).details.build.report.entries.at(-1)).toMatchObject({
      title: 'Canceled',
    });
    await expectLockReleased(projectKey);
  });

  it('cancels a deploying deployment: what it hosted stops, and its running script is stopped', async () => {
    const projectKey = await newProject();
    const marker = uniqueKey('hang');
    const created = await deploy(
      projectKey,
      withFiles({ 'service-app/post-deploy.js': `/* ${marker} */ setInterval(() => {}, 1000)` }),
    );
    // Hosting comes before postDeploy: once the service is hosted, the script is running.
    let hosted: JsonBody[] = [];
    while (!hosted.some((h) => h.applicationName === 'service-app' && h.running)) {
      hosted = await hostedOf(created.id);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const current = await read(projectKey, created.id);

    const res = await api(`/${projectKey}/deployments/${created.id}`, {
      token,
      body: { version: current.version, actions: [{ action: 'cancel' }] },
    });

    expect(res.status).toBe(200);
    expect(current.status).toBe('Deploying');
    // The workflow winds down: RecordFailure stops what this build hosted.
    expect(await operationEnd(created)).toBe('FAILED');
    expect(await hostedOf(created.id)).toEqual([]);
    const service = hosted.find((h) => h.applicationName === 'service-app');
    await expect(fetch(`http://127.0.0.1:${service.port}/`)).rejects.toThrow();
    // The script notices its operation is over within a couple of seconds and is stopped.
    const running = () => execFileSync('ps', ['-eo', 'args']).toString().includes(marker);
    for (let i = 0; i < 100 && running(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(running()).toBe(false);
    await expectLockReleased(projectKey);
  }, 30_000);

  it('refuses to cancel a deployment that is not in progress', async () => {
    const projectKey = await newProject();
    const created = await deploy(projectKey);
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    const current = await read(projectKey, created.id);

    const res = await api(`/${projectKey}/deployments/${created.id}`, {
      token,
      body: { version: current.version, actions: [{ action: 'cancel' }] },
    });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'DeploymentNotCancelable' });
  });
});

describe('the reaper', () => {
  it('leaves a running execution alone, and finishes an operation whose execution is gone', async () => {
    const projectKey = await newProject();
    await holdExecutions('slipway-deploy', true);
    let created: JsonBody;
    try {
      created = await deploy(projectKey);
      const whileRunning = await reapStuckOperations({ ...reaperDeps, settings: { graceMs: 0 } });
      expect(whileRunning.finished.map((f) => f.deploymentId)).not.toContain(created.id);
      // The execution disappears, as executions do when `npm start` is killed.
      await forgetExecution(
        'slipway-deploy',
        operationExecutionName({
          operation: 'deploy',
          deploymentId: created.id,
          operationId: created.details.build.id,
        }),
      );
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
    const report = await reapStuckOperations({ ...reaperDeps, settings: { graceMs: 0 } });
    const reaped = await read(projectKey, created.id);

    expect(report.finished).toContainEqual({
      deploymentId: created.id,
      reason: expect.stringContaining('gone'),
    });
    expect(reaped.status).toBe('Failed');
    await expectLockReleased(projectKey);
  });
});
