/**
 * Connect's DeploymentRevisions and rollback (23 October 2026) on the embedded stack: real
 * builds, real hosted processes, the real deploy state machine. A build stamps its output with
 * a random value the service answers with, so a test can tell which build answers: a rollback
 * to a kept build must answer with that build's stamp (nothing was built again).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { pruneDeploymentBuilds, pruneKeptBuilds } from '../../functions/core/deployments/retention.ts';
import { handler as sites } from '../../functions/handlers/sites.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { retentionDeps } from '../../functions/wiring/reaper.ts';
import { storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import { apiEvent } from '../fixtures/events.ts';
import { holdExecutions, injectFault, operationEnd } from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
const CANARY = inject('canary');
let token: string;

const YAML = `
deployAs:
  - name: web
    applicationType: service
    endpoint: /
    scripts:
      postDeploy: node post-deploy.js
    configuration:
      standardConfiguration:
        - key: GREETING
          description: what the service says
          required: true
      securedConfiguration:
        - key: API_SECRET
          description: a secret it never shows
          required: true
`;

/** The build writes a random stamp; the service answers it with its configuration. */
const APP = `
const http = require('node:http');
const stamp = require('node:fs').readFileSync(__dirname + '/stamp', 'utf8');
http.createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ stamp, greeting: process.env.GREETING }));
}).listen(process.env.PORT, '127.0.0.1');
`;

const files = () => ({
  'app/connect.yaml': text(YAML),
  'app/web/package.json': text(
    JSON.stringify({
      name: 'web',
      scripts: {
        build: `node -e "require('fs').writeFileSync('stamp', require('crypto').randomBytes(8).toString('hex'))"`,
        start: 'node index.js',
      },
    }),
  ),
  'app/web/index.js': text(APP),
  'app/web/post-deploy.js': text('console.log("postDeploy ran for " + process.env.GREETING)'),
});

const configuration = (greeting: string) => [
  {
    applicationName: 'web',
    standardConfiguration: [{ key: 'GREETING', value: greeting }],
    securedConfiguration: [{ key: 'API_SECRET', value: CANARY }],
  },
];

const read = async (projectKey: string, ref: string): Promise<JsonBody> =>
  (await api(`/${projectKey}/deployments/${ref}`, { token })).json();

const deployed = async (projectKey: string, started: JsonBody): Promise<JsonBody> => {
  expect(await operationEnd(started)).toBe('SUCCEEDED');
  const d = await read(projectKey, started.id);
  expect(d.status).toBe('Deployed');
  return d;
};

const answer = async (url: string): Promise<{ stamp: string; greeting: string }> => {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  return (await res.json()) as { stamp: string; greeting: string };
};

const logLines = async (projectKey: string, id: string): Promise<string[]> => {
  const body = await (await api(`/${projectKey}/deployments/${id}/logs?limit=500`, { token })).json();
  return body.data.map((l: JsonBody) => String(l.details.message));
};

const redeploy = (projectKey: string, d: JsonBody, greeting: string) =>
  api(`/${projectKey}/deployments/${d.id}`, {
    token,
    body: {
      version: d.version,
      actions: [{ action: 'redeploy', configurationValues: configuration(greeting) }],
    },
  });

const rollback = (projectKey: string, ref: string, body: Record<string, unknown>) =>
  api(`/${projectKey}/deployments/${ref}/rollback`, { token, body });

/**
 * Requests `url` every 100 ms until stopped; anything but a 200 is a failure. Each answer's
 * stamp is kept, so a test sees which builds answered during a switch.
 */
const poll = (url: string) => {
  const failures: string[] = [];
  const stamps = new Set<string>();
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const res = await fetch(url);
        if (res.status !== 200) failures.push(`HTTP ${res.status}`);
        else stamps.add(((await res.json()) as { stamp: string }).stamp);
      } catch (error) {
        failures.push((error as Error).message);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    failures,
    stamps,
    stop: async () => {
      running = false;
      await loop;
    },
  };
};

describe('revisions and rollback', () => {
  const projectKey = uniqueKey('rev');
  const key = `web-${randomBytes(3).toString('hex')}`;
  let first: JsonBody;
  let second: JsonBody;
  let url: string;
  let stamp1: string;
  let stamp2: string;

  beforeAll(async () => {
    token = await tokenFor(tenant, ['admin']);
    expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
    const uploadId = await storeUpload(token, projectKey, zipBytes(files()));
    const created = await api(`/${projectKey}/deployments`, {
      token,
      body: { key, artifact: { uploadId }, region: 'local', configurations: configuration('hello') },
    });
    expect(created.status).toBe(201);
    first = await deployed(projectKey, await created.json());
    url = first.applications[0].url;
    stamp1 = (await answer(url)).stamp;
    const again = await redeploy(projectKey, first, 'bonjour');
    expect(again.status).toBe(201);
    second = await deployed(projectKey, await again.json());
    stamp2 = (await answer(url)).stamp;
  });

  afterAll(async () => {
    await holdExecutions('slipway-deploy', false);
    await injectFault('slipway-deploy', 'Hosted', tenant, 'clear');
  });

  it('keeps the service at one address across redeploys, answering from the newest build', async () => {
    expect(second.applications[0].url).toBe(url);
    expect(url).toContain(`/apps/${projectKey}/${first.id}/web`);
    expect(stamp2).not.toBe(stamp1);
    expect(await answer(url)).toEqual({ stamp: stamp2, greeting: 'bonjour' });
    expect(second).not.toHaveProperty('rollbackRevision');
  });

  it('lists revisions most recent first, by id and by key, with secured values by key only', async () => {
    for (const ref of [second.id, `key=${key}`]) {
      const res = await api(`/${projectKey}/deployments/${ref}/revisions`, { token });
      expect(res.status).toBe(200);
      const body = await res.json();
      expect(body).toMatchObject({ limit: 20, offset: 0, count: 2, total: 2 });
      expect(body.results.map((r: JsonBody) => r.revision)).toEqual([2, 1]);
      const [newest, oldest] = body.results;
      expect(newest.applications).toEqual([
        {
          applicationName: 'web',
          standardConfiguration: [{ key: 'GREETING', value: 'bonjour' }],
          securedConfiguration: [{ key: 'API_SECRET' }],
        },
      ]);
      expect(oldest.applications[0].standardConfiguration).toEqual([{ key: 'GREETING', value: 'hello' }]);
      expect(newest.connector.buildId).not.toBe(oldest.connector.buildId);
      expect(newest).toMatchObject({ buildKept: true, createdAt: expect.any(String) });
      expect(JSON.stringify(body)).not.toContain(CANARY);
    }
    const page = await (
      await api(`/${projectKey}/deployments/${second.id}/revisions?limit=1&offset=1`, { token })
    ).json();
    expect(page).toMatchObject({ count: 1, total: 2, results: [{ revision: 1 }] });
  });

  it('gets one revision by id and by key; an unknown one is 404, a malformed one 400', async () => {
    for (const ref of [second.id, `key=${key}`]) {
      const res = await api(`/${projectKey}/deployments/${ref}/revisions/1`, { token });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ revision: 1, connector: { buildId: expect.any(String) } });
    }
    const missing = await api(`/${projectKey}/deployments/${second.id}/revisions/99`, { token });
    expect(missing.status).toBe(404);
    expect((await missing.json()).errors[0].code).toBe('ResourceNotFound');
    const malformed = await api(`/${projectKey}/deployments/${second.id}/revisions/one`, { token });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).errors[0]).toMatchObject({ code: 'InvalidPathParam', field: 'revision' });
  });

  it('refuses a stale version with 409 and an unknown revision with 400 naming the field', async () => {
    const stale = await rollback(projectKey, second.id, { version: second.version - 1, revision: 1 });
    expect(stale.status).toBe(409);
    expect((await stale.json()).errors[0]).toMatchObject({
      code: 'ConcurrentModification',
      currentVersion: second.version,
    });
    const unknown = await rollback(projectKey, second.id, { version: second.version, revision: 7 });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0]).toMatchObject({ code: 'InvalidField', field: 'revision' });
  });

  it('rolls back to a kept build at the same address, served throughout, with no build and no script', async () => {
    const current = await read(projectKey, `key=${key}`);
    const poller = poll(url);
    const res = await rollback(projectKey, `key=${key}`, { version: current.version, revision: 1 });
    expect(res.status).toBe(201);
    const started = await res.json();
    expect(started).toMatchObject({ version: current.version + 1, status: 'Queued', rollbackRevision: 1 });
    const done = await deployed(projectKey, started);
    await poller.stop();

    expect(poller.failures).toEqual([]);
    expect(done).toMatchObject({ rollbackRevision: 1, applications: [{ url }] });
    expect(await answer(url)).toEqual({ stamp: stamp1, greeting: 'hello' });
    expect([...poller.stamps].every((s) => s === stamp1 || s === stamp2)).toBe(true);

    const operation = done.details.build.id;
    const steps = (await deploymentDeps.events.list(done.id))
      .filter((e) => e.operationId === operation)
      .map((e) => e.step);
    const lines = await logLines(projectKey, done.id);
    expect(lines.some((l) => l.startsWith(`Build ${operation}: building`))).toBe(false);
    expect(lines.filter((l) => l.includes('postDeploy ran'))).toHaveLength(2);
    expect(lines).toContain(`Build ${operation}: deployed as version ${done.version} at ${url}`);
    expect(steps).toEqual(['initializing', 'deploying', 'finalizing', 'complete']);

    const revisions = await (await api(`/${projectKey}/deployments/${done.id}/revisions`, { token })).json();
    const [newest, , oldest] = revisions.results;
    expect(revisions.total).toBe(3);
    expect(newest).toMatchObject({ revision: 3, rollbackRevision: 1 });
    expect(newest.connector.buildId).toBe(oldest.connector.buildId);
    // Revision 1's build was replaced moments ago and still waited on standby (its processes
    // running out of traffic): the rollback switched back to them rather than starting them.
    // (Hosting's output lines reach the logs every 500 ms; a warm rollback can end sooner.)
    await vi.waitFor(
      async () =>
        expect(await logLines(projectKey, done.id)).toContain(
          "[slipway] 'web' is back from standby: its processes were still running",
        ),
      { timeout: 5_000, interval: 100 },
    );
  });

  it('runs postDeploy on a rollback that asks for it', async () => {
    const current = await read(projectKey, first.id);
    const res = await rollback(projectKey, first.id, {
      version: current.version,
      revision: 2,
      runScripts: true,
    });
    expect(res.status).toBe(201);
    await deployed(projectKey, await res.json());
    expect(await answer(url)).toEqual({ stamp: stamp2, greeting: 'bonjour' });
    expect((await logLines(projectKey, first.id)).filter((l) => l.includes('postDeploy ran'))).toHaveLength(
      3,
    );
  });

  it('refuses a rollback while an operation is in progress (DeploymentRollbackNotAllowed)', async () => {
    await holdExecutions('slipway-deploy', true);
    try {
      const current = await read(projectKey, first.id);
      const queued = await (await redeploy(projectKey, current, 'hola')).json();
      expect(queued.status).toBe('Queued');
      const refused = await rollback(projectKey, first.id, { version: queued.version, revision: 1 });
      expect(refused.status).toBe(400);
      const error = (await refused.json()).errors[0];
      expect(error.code).toBe('DeploymentRollbackNotAllowed');
      expect(error.message).toContain('Queued');
      const canceled = await api(`/${projectKey}/deployments/${first.id}`, {
        token,
        body: { version: queued.version, actions: [{ action: 'cancel' }] },
      });
      expect(canceled.status).toBe(200);
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
  });

  it('keeps the current build serving when a rollback fails', async () => {
    const before = await answer(url);
    await injectFault('slipway-deploy', 'Hosted', tenant, { error: 'Slipway.TestFault', cause: 'injected' });
    const poller = poll(url);
    try {
      const current = await read(projectKey, first.id);
      const res = await rollback(projectKey, first.id, { version: current.version, revision: 1 });
      expect(res.status).toBe(201);
      expect(await operationEnd(await res.json())).toBe('FAILED');
    } finally {
      await poller.stop();
      await injectFault('slipway-deploy', 'Hosted', tenant, 'clear');
    }
    expect(poller.failures).toEqual([]);
    expect(await answer(url)).toEqual(before);
    expect((await read(projectKey, first.id)).status).toBe('Failed');
  });

  it('marks each deployed deployment for the scheduled retention job, which clears the mark', async () => {
    const due = await retentionDeps.revisions.listRetentionDue(1000);
    expect(due.map((d) => d.deploymentId)).toContain(first.id);
    const report = await pruneKeptBuilds(retentionDeps, 1000);
    expect(report.errors).toEqual([]);
    // Ten builds are kept by default: this deployment's two stay.
    expect((await retentionDeps.revisions.listRetentionDue(1000)).map((d) => d.deploymentId)).not.toContain(
      first.id,
    );
    const revisions = (
      await (await api(`/${projectKey}/deployments/${first.id}/revisions`, { token })).json()
    ).results;
    expect(revisions.every((r: JsonBody) => r.buildKept)).toBe(true);
  });

  it('prunes only builds past retention, never the served one; a pruned revision is built again', async () => {
    const d = await read(projectKey, first.id);
    const workspace = inject('stackEnv').SLIPWAY_WORKSPACE_DIR ?? '';
    const revisions = (await (await api(`/${projectKey}/deployments/${d.id}/revisions`, { token })).json())
      .results;
    const build1 = revisions.find((r: JsonBody) => r.revision === 1).connector.buildId;
    const build2 = revisions.find((r: JsonBody) => r.revision === 2).connector.buildId;
    // The deployment serves build 2 (revision 4 restored it); keeping one build keeps only that.
    const stored = await deploymentDeps.deployments.getById(d.id);
    const discarded = await pruneDeploymentBuilds(
      { ...retentionDeps, settings: { keepBuilds: 1 } },
      stored?.projectId ?? '',
      d.id,
    );
    expect(discarded).toEqual([build1]);
    expect(existsSync(join(workspace, d.id, build1))).toBe(false);
    expect(existsSync(join(workspace, d.id, build2))).toBe(true);
    expect(await answer(url)).toEqual({ stamp: stamp2, greeting: 'bonjour' });

    const after = (await (await api(`/${projectKey}/deployments/${d.id}/revisions`, { token })).json())
      .results;
    for (const r of after) expect(r.buildKept).toBe(r.connector.buildId === build2);

    const res = await rollback(projectKey, d.id, { version: d.version, revision: 1 });
    expect(res.status).toBe(201);
    const done = await deployed(projectKey, await res.json());
    const rebuilt = await answer(url);
    expect(rebuilt.greeting).toBe('hello');
    expect([stamp1, stamp2]).not.toContain(rebuilt.stamp);
    const lines = await logLines(projectKey, d.id);
    expect(lines.some((l) => l.startsWith(`Build ${done.details.build.id}: building`))).toBe(true);
  });

  it("names one deployment server-wide: another tenant's same project and deployment keys get their own address", async () => {
    const other = await tokenFor(newTenant(), ['admin']);
    expect((await api('/projects', { token: other, body: { key: projectKey } })).status).toBe(201);
    const uploadId = await storeUpload(other, projectKey, zipBytes(files()));
    const created = await api(`/${projectKey}/deployments`, {
      token: other,
      body: { key, artifact: { uploadId }, region: 'local', configurations: configuration('theirs') },
    });
    expect(created.status).toBe(201);
    const started = await created.json();
    expect(await operationEnd(started)).toBe('SUCCEEDED');
    const theirs = await (await api(`/${projectKey}/deployments/${started.id}`, { token: other })).json();
    expect(theirs.applications[0].url).not.toBe(url);
    expect((await answer(theirs.applications[0].url)).greeting).toBe('theirs');
    expect((await answer(url)).greeting).not.toBe('theirs');
  });

  it('forwards a stable address to the origin the deployment serves now, as the sites function does on AWS', async () => {
    const seen: string[] = [];
    const origin = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.setHeader('location', `http://127.0.0.1:${(origin.address() as AddressInfo).port}/web/next`);
      res.end('from the origin');
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    try {
      const d = await deploymentDeps.deployments.getById(first.id);
      if (!d) throw new Error('deployment missing');
      const originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/web`;
      await deploymentDeps.deployments.update(
        {
          ...d,
          version: d.version + 1,
          applications: d.applications.map((a) => ({ ...a, origin: originUrl })),
        },
        d.version,
      );
      const path = `/apps/${projectKey}/${first.id}/web`;
      const event = (rest: string | undefined) =>
        apiEvent('GET', `${path}${rest === undefined ? '' : `/${rest}`}`, {
          rawQueryString: 'q=1',
          headers: { host: 'cdn.example.com', 'x-forwarded-proto': 'https' },
          pathParameters: {
            projectKey,
            deploymentId: first.id,
            applicationName: 'web',
            ...(rest === undefined ? {} : { proxy: rest }),
          },
        });
      const answered = await sites(event('hello'));
      expect(answered.statusCode).toBe(200);
      expect(Buffer.from(String(answered.body), 'base64').toString()).toBe('from the origin');
      expect(seen).toEqual(['GET /web/hello?q=1']);
      // A redirect to the origin itself stays at the stable address.
      expect(answered.headers?.location).toBe(`https://cdn.example.com${path}/next`);
      expect((await sites(event(undefined))).headers?.location).toBe(`https://cdn.example.com${path}/?q=1`);
      const wrongProject = await sites({
        ...event('hello'),
        pathParameters: {
          projectKey: 'other',
          deploymentId: first.id,
          applicationName: 'web',
          proxy: 'hello',
        },
      });
      expect(wrongProject.statusCode).toBe(404);
    } finally {
      origin.close();
    }
  });
});
