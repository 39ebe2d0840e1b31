/**
 * Webhooks end to end on the shared embedded stack (issue 25): subscriptions in both dialects,
 * real deliveries to receivers on 127.0.0.1 (the test stack allows loopback and scales the
 * retry schedule 1000 times faster: docs/webhooks.md), every one verified with the `standardwebhooks`
 * library on its raw body.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { keys } from '../../functions/adapters/dynamodb/keys.ts';
import { publishConnector, storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';
import { type Received, type Receiver, startReceiver } from '../fixtures/webhook-receiver.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const CANARY = inject('canary');
const tenant = newTenant();
let token: string;
const receivers: Receiver[] = [];

const receiver = async () => {
  const r = await startReceiver();
  receivers.push(r);
  return r;
};

const newProject = async () => {
  const key = uniqueKey('hook');
  expect((await api('/projects', { token, body: { key } })).status).toBe(201);
  return key;
};

const subscribe = async (
  projectKey: string,
  url: string,
  events: string[] = ['deployment.status_changed'],
) => {
  const res = await api(`/${projectKey}/webhooks`, { token, body: { url, events, description: 'test' } });
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json();
};

const verify = (secret: string, r: Received) =>
  new Webhook(secret).verify(r.raw, r.headers as Record<string, string>);

/** One assets application with a secured key: no build, no process, deployed in about a second. */
const ASSETS_CONNECTOR = zipBytes({
  'connect.yaml': text(`deployAs:
  - name: site
    applicationType: assets
inheritAs:
  configuration:
    securedConfiguration:
      - key: API_SECRET
        description: a secret
        required: true
`),
  'site/index.html': text('<p>hooked</p>'),
});

const deploy = async (projectKey: string, key: string) => {
  const uploadId = await storeUpload(token, projectKey, ASSETS_CONNECTOR);
  const res = await api(`/${projectKey}/deployments`, {
    token,
    body: {
      key,
      artifact: { uploadId },
      region: 'local',
      globalConfiguration: { securedConfiguration: [{ key: 'API_SECRET', value: CANARY }] },
    },
  });
  expect(res.status).toBe(201);
  return res.json();
};

const deliveries = async (projectKey: string, id: string) =>
  (await api(`/${projectKey}/webhooks/${id}/deliveries?limit=50`, { token })).json();

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
});

afterAll(async () => {
  for (const r of receivers) await r.close();
});

describe('webhook subscriptions (Connect)', () => {
  it('creates one with its secret shown once, lists, reads, updates at its version and deletes it', async () => {
    const projectKey = await newProject();
    const r = await receiver();

    const created = await subscribe(projectKey, r.url, ['deployment.deployed', 'deployment.failed']);
    const read = await (await api(`/${projectKey}/webhooks/${created.id}`, { token })).json();
    const list = await (await api(`/${projectKey}/webhooks?limit=1`, { token })).json();
    const stale = await api(`/${projectKey}/webhooks/${created.id}`, {
      token,
      body: { version: 9, active: false },
    });
    const updated = await api(`/${projectKey}/webhooks/${created.id}`, {
      token,
      body: { version: 1, events: ['deployment.status_changed'], description: null },
    });
    const deleted = await api(`/${projectKey}/webhooks/${created.id}`, { token, method: 'DELETE' });
    const gone = await api(`/${projectKey}/webhooks/${created.id}`, { token });

    expect(created).toMatchObject({
      version: 1,
      url: r.url,
      active: true,
      events: ['deployment.deployed', 'deployment.failed'],
    });
    // `whsec_` and 32 random bytes, as the library decodes it.
    expect(Buffer.from(created.secret.slice('whsec_'.length), 'base64')).toHaveLength(32);
    expect(read).toEqual({ ...created, secret: undefined });
    expect(JSON.stringify(read)).not.toContain(created.secret);
    expect(list).toMatchObject({ limit: 1, offset: 0, count: 1, total: 1, results: [{ id: created.id }] });
    expect(stale.status).toBe(409);
    expect((await stale.json()).errors[0]).toMatchObject({
      code: 'ConcurrentModification',
      currentVersion: 1,
    });
    expect(updated.status).toBe(200);
    const changed = await updated.json();
    expect(changed).toMatchObject({ version: 2, events: ['deployment.status_changed'] });
    expect(changed.description).toBeUndefined();
    expect(deleted.status).toBe(200);
    expect(gone.status).toBe(404);
  });

  it.each([
    ['http to a public host', { url: 'http://example.com/hooks' }, 'WebhookUrlNotAllowed', 'url'],
    ['the metadata address', { url: 'http://169.254.169.254/latest' }, 'WebhookUrlNotAllowed', 'url'],
    ['a private address', { url: 'https://10.0.0.7/hooks' }, 'WebhookUrlNotAllowed', 'url'],
    [
      'an IPv4-mapped private address',
      { url: 'https://[::ffff:192.168.1.1]/' },
      'WebhookUrlNotAllowed',
      'url',
    ],
    ['credentials in the URL', { url: 'https://user:pw@example.com/' }, 'WebhookUrlNotAllowed', 'url'],
    ['an unknown event', { events: ['deployment.exploded'] }, 'InvalidJsonInput', 'events.0'],
    ['no event', { events: [] }, 'InvalidJsonInput', 'events'],
  ])('refuses %s with 400 naming the field', async (_, change, code, field) => {
    const projectKey = await newProject();

    const res = await api(`/${projectKey}/webhooks`, {
      token,
      body: { url: 'https://hooks.example.com/in', events: ['deployment.deployed'], ...change },
    });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code, field });
  });

  it("answers 404 for an unknown project, an unknown id and another tenant's subscription", async () => {
    const projectKey = await newProject();
    const mine = await subscribe(projectKey, 'https://hooks.example.com/in');
    const other = await tokenFor(newTenant(), ['admin']);

    expect((await api('/no-such-project/webhooks', { token })).status).toBe(404);
    expect(
      (await api(`/${projectKey}/webhooks/00000000-0000-4000-8000-000000000000`, { token })).status,
    ).toBe(404);
    expect((await api(`/${projectKey}/webhooks/${mine.id}`, { token: other })).status).toBe(404);
    expect((await api(`/${projectKey}/webhooks/${mine.id}/ping`, { token: other, body: {} })).status).toBe(
      404,
    );
  });
});

describe('delivering a deployment’s events', () => {
  let projectKey: string;
  let r: Receiver;
  let sub: JsonBody;
  let deployment: JsonBody;

  beforeAll(async () => {
    projectKey = await newProject();
    r = await receiver();
    // A slow receiver: each answer takes 150 ms, so later events are due while earlier ones are out.
    r.answer = () => ({ status: 200, delayMs: 150 });
    sub = await subscribe(projectKey, r.url, [
      'deployment.created',
      'deployment.status_changed',
      'deployment.deployed',
      'deployment.deleted',
    ]);
    deployment = await deploy(projectKey, 'hooked');
    const end = await operationEnd(deployment);
    const report = (await (await api(`/${projectKey}/deployments/${deployment.id}`, { token })).json())
      .details;
    expect(end, JSON.stringify(report)).toBe('SUCCEEDED');
  }, 60_000);

  it('sends created, then each status change in order, then deployed, each signed', async () => {
    const got = await r.until(5);
    const changes = got.filter((g) => g.json.type === 'deployment.status_changed').map((g) => g.json.data);

    expect(got.map((g) => g.json.type)).toEqual([
      'deployment.created',
      'deployment.status_changed',
      'deployment.status_changed',
      'deployment.status_changed',
      'deployment.deployed',
    ]);
    expect(changes.map((c) => [c.from, c.to])).toEqual([
      [null, 'Queued'],
      ['Queued', 'Deploying'],
      ['Deploying', 'Deployed'],
    ]);
    for (const g of got) {
      expect(verify(sub.secret, g)).toEqual(g.json);
      expect(g.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'Slipway-Webhooks/1',
      });
      expect(g.headers['webhook-id']).toBe(g.json.id);
    }
    // Measured (docs/webhooks.md): from each change to its request at the receiver.
    console.log(
      `webhooks: from each status change to its request: ${got.map((g) => `${g.json.type.replace('deployment.', '')} ${g.at - Date.parse(g.json.timestamp)} ms`).join(', ')} (a receiver answering in 150 ms)`,
    );
    // One at a time: each request came after the answer to the one before (150 ms each).
    for (let i = 1; i < got.length; i++)
      expect((got[i] as Received).at - (got[i - 1] as Received).at).toBeGreaterThanOrEqual(140);
  });

  it('carries the project, the deployment’s public view, and no secured value or secret', async () => {
    const deployed = r.received.find((g) => g.json.type === 'deployment.deployed')?.json;
    const all = r.received.map((g) => g.raw.toString()).join('\n');

    expect(deployed).toMatchObject({
      id: expect.stringMatching(/^msg_/),
      type: 'deployment.deployed',
      timestamp: expect.any(String),
      data: {
        projectKey,
        deploymentId: deployment.id,
        deploymentKey: 'hooked',
        from: 'Deploying',
        to: 'Deployed',
        deployment: { id: deployment.id, key: 'hooked', status: 'Deployed' },
      },
    });
    expect(deployed.data.deployment.globalConfiguration.securedConfiguration).toEqual([
      { key: 'API_SECRET', value: '****' },
    ]);
    expect(all).not.toContain(CANARY);
    expect(all).not.toContain(sub.secret.slice('whsec_'.length));
  });

  it('lists each delivery with its attempt: status code, duration, the first 1 KB of the answer', async () => {
    // The receiver has a request before it answers (150 ms), and the outcome is written after.
    const listing = await vi.waitFor(async () => {
      const l = await deliveries(projectKey, sub.id);
      if (l.results.some((d: JsonBody) => d.status !== 'succeeded')) throw new Error('not all recorded yet');
      return l;
    });
    const deployed = listing.results.find((d: JsonBody) => d.eventType === 'deployment.deployed');

    expect(listing.total).toBe(5);
    expect(deployed).toMatchObject({
      webhookId: sub.id,
      eventType: 'deployment.deployed',
      status: 'succeeded',
      attempts: [{ number: 1, statusCode: 200, durationMs: expect.any(Number), trigger: 'automatic' }],
    });
    expect(deployed.attempts[0].durationMs).toBeGreaterThanOrEqual(140);
    expect(deployed.payload).toMatchObject({ type: 'deployment.deployed' });
  });

  it('sends deleted with the last view once the deployment is undeployed and removed', async () => {
    const res = await api(`/${projectKey}/deployments/${deployment.id}`, { token, method: 'DELETE' });
    expect(res.status).toBe(202);

    const [deleted] = await r.until(1, (g) => g.json.type === 'deployment.deleted');
    const order = r.received.slice(5).map((g) => `${g.json.type}:${g.json.data.to}`);

    expect(deleted?.json.data).toMatchObject({
      projectKey,
      from: 'Undeploying',
      to: 'Removed',
      deployment: { id: deployment.id },
    });
    expect(order).toEqual([
      'deployment.status_changed:Undeploying',
      'deployment.status_changed:Removed',
      'deployment.deleted:Removed',
    ]);
  });
});

describe('retries, pings and the deliveries log', () => {
  it('delivers on the fourth attempt to a receiver that fails three, with the same webhook-id', async () => {
    const projectKey = await newProject();
    const r = await receiver();
    r.answer = (n) => (n < 3 ? { status: 500, body: 'x'.repeat(2048) } : { status: 200, body: 'ok' });
    const sub = await subscribe(projectKey, r.url);

    const asked = Date.now();
    const ping = await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    const got = await r.until(4);
    console.log(
      `webhooks: ping delivered on its 4th attempt ${(got[3] as Received).at - asked} ms after it was asked (retry schedule 1000 times faster); attempts at +${got.map((g) => g.at - asked).join(', +')} ms`,
    );
    const listing = await vi.waitFor(async () => {
      const l = await deliveries(projectKey, sub.id);
      if (l.results[0]?.status !== 'succeeded') throw new Error('not yet recorded');
      return l;
    });
    const [delivery] = listing.results;

    expect(ping.status).toBe(202);
    expect(new Set(got.map((g) => g.headers['webhook-id'])).size).toBe(1);
    for (const g of got) expect(verify(sub.secret, g)).toMatchObject({ type: 'webhook.ping' });
    expect(delivery.attempts.map((a: JsonBody) => a.statusCode)).toEqual([500, 500, 500, 200]);
    expect(delivery.attempts[0].responseBody).toBe('x'.repeat(1024));
    expect(delivery.attempts[0].nextAttemptAt).toEqual(expect.any(String));
    expect(delivery.attempts[3].nextAttemptAt).toBeUndefined();
  });

  it('sends a delivery again on retry, with the same webhook-id', async () => {
    const projectKey = await newProject();
    const r = await receiver();
    const sub = await subscribe(projectKey, r.url);
    const ping = await (await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} })).json();
    const [first] = await r.until(1);

    const retried = await api(`/${projectKey}/webhooks/${sub.id}/deliveries/${ping.id}/retry`, {
      token,
      body: {},
    });
    const both = await r.until(2);

    expect(retried.status).toBe(202);
    expect(both[1]?.headers['webhook-id']).toBe(first?.headers['webhook-id']);
    expect(verify(sub.secret, both[1] as Received)).toMatchObject({ type: 'webhook.ping' });
    const listing = await vi.waitFor(async () => {
      const l = await deliveries(projectKey, sub.id);
      if (l.results[0]?.attempts.length !== 2) throw new Error('retry not recorded yet');
      return l;
    });
    expect(listing.results[0].attempts.map((a: JsonBody) => a.trigger)).toEqual(['automatic', 'manual']);
  });

  it('never follows a redirect: the attempt fails and the Location is not requested', async () => {
    const projectKey = await newProject();
    const target = await receiver();
    const r = await receiver();
    r.answer = () => ({ status: 307, headers: { location: target.url } });
    const sub = await subscribe(projectKey, r.url);

    await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    await r.until(2);
    const [delivery] = (await deliveries(projectKey, sub.id)).results;

    expect(delivery.attempts[0]).toMatchObject({
      statusCode: 307,
      error: expect.stringContaining('redirect'),
    });
    expect(target.received).toEqual([]);
  });

  it('refuses the metadata address at connect time too (a subscription made before the rule cannot reach it)', async () => {
    const projectKey = await newProject();
    const sub = await subscribe(projectKey, 'https://hooks.example.com/in');
    // As if the URL had been stored before: the sender's own check is what stands between.
    await documentClient.send(
      new UpdateCommand({
        TableName: process.env.SLIPWAY_TABLE_NAME,
        Key: keys.webhookSubscription(tenant, sub.id),
        UpdateExpression: 'SET #url = :u',
        ExpressionAttributeNames: { '#url': 'url' },
        ExpressionAttributeValues: { ':u': 'http://169.254.169.254/latest/meta-data/' },
      }),
    );

    await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    const attempt = await vi.waitFor(async () => {
      const a = (await deliveries(projectKey, sub.id)).results[0]?.attempts[0];
      if (!a) throw new Error('no attempt yet');
      return a;
    });

    expect(attempt).toMatchObject({
      error: expect.stringContaining('169.254.169.254 is a link-local address'),
    });
    expect(attempt.statusCode).toBeUndefined();
  });

  it('signs with both secrets after a rotation, each verifying with its own', async () => {
    const projectKey = await newProject();
    const r = await receiver();
    const sub = await subscribe(projectKey, r.url);

    const rotated = await (
      await api(`/${projectKey}/webhooks/${sub.id}/rotate-secret`, { token, body: {} })
    ).json();
    await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    const [got] = await r.until(1);

    expect(rotated.secret).not.toBe(sub.secret);
    expect(rotated.version).toBe(2);
    expect(String(got?.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verify(rotated.secret, got as Received)).toMatchObject({ type: 'webhook.ping' });
    expect(verify(sub.secret, got as Received)).toMatchObject({ type: 'webhook.ping' });
  });

  it('disables a subscription whose endpoint answers 410 Gone, and says so', async () => {
    const projectKey = await newProject();
    const r = await receiver();
    r.answer = () => ({ status: 410 });
    const sub = await subscribe(projectKey, r.url);

    await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    const after = await vi.waitFor(async () => {
      const s = await (await api(`/${projectKey}/webhooks/${sub.id}`, { token })).json();
      if (s.active) throw new Error('still active');
      return s;
    });

    expect(after).toMatchObject({
      active: false,
      disabledReason: expect.stringContaining('410'),
      version: 2,
    });
  });

  it('disables a subscription failing for 3 days at its next failure', async () => {
    const projectKey = await newProject();
    const r = await receiver();
    r.answer = () => ({ status: 500 });
    const sub = await subscribe(projectKey, r.url);
    const since = new Date(Date.now() - 3 * 86_400_000 - 60_000).toISOString();
    await documentClient.send(
      new UpdateCommand({
        TableName: process.env.SLIPWAY_TABLE_NAME,
        Key: keys.webhookSubscription(tenant, sub.id),
        UpdateExpression: 'SET failingSince = :s',
        ExpressionAttributeValues: { ':s': since },
      }),
    );

    await api(`/${projectKey}/webhooks/${sub.id}/ping`, { token, body: {} });
    const after = await vi.waitFor(async () => {
      const s = await (await api(`/${projectKey}/webhooks/${sub.id}`, { token })).json();
      if (s.active) throw new Error('still active');
      return s;
    });

    expect(after.disabledReason).toContain(`failed for 3 days (since ${since})`);
  });
});

describe('connector.published', () => {
  it('goes to every subscription of the tenant that asked for it', async () => {
    const own = await newTenant();
    const ownToken = await tokenFor(own, ['admin']);
    const [a, b] = [uniqueKey('pub'), uniqueKey('pub')];
    for (const key of [a, b]) await api('/projects', { token: ownToken, body: { key } });
    const r = await receiver();
    const asked = await (
      await api(`/${a}/webhooks`, { token: ownToken, body: { url: r.url, events: ['connector.published'] } })
    ).json();
    await api(`/${b}/webhooks`, { token: ownToken, body: { url: r.url, events: ['deployment.deployed'] } });

    const connectorKey = await publishConnector(own, ownToken, b);
    const [got] = await r.until(1);

    expect(verify(asked.secret, got as Received)).toMatchObject({
      type: 'connector.published',
      data: { connectorKey, version: 1 },
    });
    expect(r.received).toHaveLength(1);
  }, 60_000);
});

describe('webhook subscriptions (BigCommerce)', () => {
  it("delivers a store project's events to the store's subscription, in its envelope", async () => {
    const s = await newStore([
      'store_infrastructure_projects_manage',
      'store_infrastructure_deployments_manage',
    ]);
    const r = await receiver();
    const created = await s.call('/webhooks', { body: { url: r.url, events: ['deployment.deployed'] } });
    const sub = (await created.json()).data;
    const refused = await s.call('/webhooks', {
      body: { url: 'http://10.1.1.1/', events: ['deployment.deployed'] },
    });
    const project = (await (await s.call('/projects', { body: { name: `hooks-${Date.now()}` } })).json())
      .data;
    const upload_uuid = await uploadBundle(
      s,
      zipBytes({
        'output/server.js': text(
          "require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT)",
        ),
      }),
    );

    await s.call('/deployments', { body: { upload_uuid, project_uuid: project.uuid } });
    const [got] = await r.until(1, () => true, 40_000);
    const listed = await (await s.call('/webhooks')).json();
    const log = await (await s.call(`/webhooks/${sub.id}/deliveries`)).json();

    expect(created.status).toBe(200);
    expect(sub).toMatchObject({ is_active: true, url: r.url, secret: expect.stringMatching(/^whsec_/) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      status: 400,
      code: 'WebhookUrlNotAllowed',
      errors: { url: expect.any(String) },
    });
    expect(verify(sub.secret, got as Received)).toMatchObject({
      type: 'deployment.deployed',
      data: { deployment: { status: 'Deployed' } },
    });
    expect(listed).toMatchObject({
      data: [{ id: sub.id }],
      meta: { pagination: { total: 1, current_page: 1 } },
    });
    expect(log.data[0]).toMatchObject({
      event_type: 'deployment.deployed',
      status: 'succeeded',
      attempts: [{ status_code: 204 }],
    });
  }, 60_000);
});
