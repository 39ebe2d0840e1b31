/**
 * Health checks after `Deployed` (connect.yaml's `healthCheck`, docs/health-checks.md) on the
 * embedded stack: a real connector whose service and event application each declare
 * `healthCheck: {path: /health, intervalSeconds: 1, unhealthyThreshold: 2}` and answer 500 on
 * /health once told to (POST /fail, until the process is restarted). The report gets
 * "Application unhealthy", the bus `ApplicationHealthChanged`, the process is restarted (a new
 * pid), and once the new process answers, "Application recovered" and the healthy event.
 * The stack runs health checks at half their interval (SLIPWAY_HEALTH_INTERVAL_SCALE in
 * test/global-setup.ts); nothing here sleeps: each outcome is awaited with `vi.waitFor`.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import { hostedOf, operationEnd } from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const CONNECT_YAML = `
deployAs:
  - name: orders
    applicationType: service
    endpoint: /service
    healthCheck:
      path: /health
      intervalSeconds: 1
      unhealthyThreshold: 2
  - name: events
    applicationType: event
    endpoint: /event
    healthCheck:
      path: /health
      intervalSeconds: 1
      unhealthyThreshold: 2
`;

/** Healthy until POST /fail; from then on /health answers 500 until the process ends. */
const SWITCHABLE_APP = `
const http = require('node:http');
let failing = false;
http.createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/fail') { failing = true; res.end('failing'); return; }
  if (req.url === '/health') { res.statusCode = failing ? 500 : 200; res.end(failing ? 'sick' : 'ok'); return; }
  res.end('up ' + process.pid);
}).listen(process.env.PORT, '127.0.0.1');
`;

const WAIT = { timeout: 30_000, interval: 100 };

const tenant = newTenant();
let token: string;
let projectKey: string;
let deployment: JsonBody;

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  projectKey = uniqueKey('health');
  expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
  const uploadId = await storeUpload(
    token,
    projectKey,
    zipBytes({
      'connector/connect.yaml': text(CONNECT_YAML),
      'connector/orders/server.js': text(SWITCHABLE_APP),
      'connector/events/server.js': text(SWITCHABLE_APP),
    }),
  );
  const res = await api(`/${projectKey}/deployments`, {
    token,
    body: { key: uniqueKey('d'), artifact: { uploadId }, region: 'local' },
  });
  expect(res.status).toBe(201);
  deployment = (await res.json()) as JsonBody;
  expect(await operationEnd(deployment)).toBe('SUCCEEDED');
  deployment = await read();
  expect(deployment.status).toBe('Deployed');
}, 90_000);

const read = async (): Promise<JsonBody> =>
  (await api(`/${projectKey}/deployments/${deployment.id}`, { token })).json();

const entriesOf = async (application: string): Promise<JsonBody[]> =>
  ((await read()).details.build.report.entries as JsonBody[]).filter((e) => e.application === application);

const hosted = async (application: string): Promise<JsonBody> => {
  const entry = (await hostedOf(deployment.id)).find((h) => h.applicationName === application);
  if (!entry) throw new Error(`${application} is not hosted`);
  return entry;
};

/** The health events of this deployment's `application` on the bus, in order. */
const healthEvents = (application: string): JsonBody[] =>
  readFileSync(inject('eventsFile'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as JsonBody)
    .filter(
      (e) =>
        e.type === 'ApplicationHealthChanged' &&
        e.deploymentId === deployment.id &&
        e.applicationName === application,
    );

describe.each([
  ['service', 'orders'],
  ['event', 'events'],
])('a failing health check after Deployed (%s application)', (_, application) => {
  it('is reported unhealthy, restarted, then reported recovered, with an event for each', async () => {
    const before = await hosted(application);
    expect(before.running).toBe(true);

    const told = await fetch(`http://127.0.0.1:${before.port}/fail`, { method: 'POST' });
    expect(await told.text()).toBe('failing');

    const unhealthy = await vi.waitFor(async () => {
      const entry = (await entriesOf(application)).find((e) => e.title === 'Application unhealthy');
      if (!entry) throw new Error('not reported unhealthy yet');
      return entry;
    }, WAIT);
    expect(unhealthy).toMatchObject({ type: 'Error', application });
    expect(unhealthy.message).toBe(
      `'${application}' failed its health check 2 times in a row (last: GET /health answered 500); it is being restarted.`,
    );

    // Restarted with the supervisor's backoff: a new process, up again on its port.
    const after = await vi.waitFor(async () => {
      const now = await hosted(application);
      if (!now.running || now.pid === before.pid) throw new Error('not restarted yet');
      return now;
    }, WAIT);
    expect(after.port).toBe(before.port);

    const recovered = await vi.waitFor(async () => {
      const entry = (await entriesOf(application)).find((e) => e.title === 'Application recovered');
      if (!entry) throw new Error('not reported recovered yet');
      return entry;
    }, WAIT);
    expect(recovered).toMatchObject({ type: 'Information', application });
    expect(recovered.message).toBe(
      `'${application}' passes its health check again (GET /health answered 200).`,
    );

    const events = await vi.waitFor(() => {
      const seen = healthEvents(application);
      if (seen.length < 2) throw new Error('events not published yet');
      return seen;
    }, WAIT);
    expect(events).toEqual([
      expect.objectContaining({
        tenant,
        projectKey,
        deploymentKey: deployment.key,
        healthy: false,
        message: unhealthy.message,
      }),
      expect.objectContaining({ healthy: true, message: recovered.message }),
    ]);
    // Once each: the restarted process passes, so there is nothing more to report.
    const titles = (await entriesOf(application)).map((e) => e.title);
    expect(titles.filter((t) => t === 'Application unhealthy')).toHaveLength(1);
    expect(titles).not.toContain('Application crashed');
  }, 60_000);
});
