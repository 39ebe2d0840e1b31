/**
 * The BigCommerce dialect's deployments as the Catalyst CLI drives them, over real HTTP: a
 * project, an upload signature, a PUT of the zip to the real S3 server, the deployment, its
 * Server-Sent Events to the end, and the application answering at the project's address (a
 * real child process). Streams close after 2 s in tests (30 s by default, see global-setup).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, inject, it } from 'vitest';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';
import { holdExecutions } from '../fixtures/workflows.ts';
import { api, createStoreAccessToken, gatewayUrl, tokenFor } from '../helpers.ts';

const ALL_SCOPES = [
  'store_infrastructure_projects_manage',
  'store_infrastructure_deployments_manage',
  'store_infrastructure_logs_read_only',
];
const IN_PROGRESS =
  'You already have a deployment in progress for this project. Please wait for it to complete before trying again.';

const store = (scopes = ALL_SCOPES) => newStore(scopes);

type Store = Awaited<ReturnType<typeof store>>;

/** A Catalyst-style bundle: `output/server.js`, a Node server that reports what it was given. */
const catalystBundle = (version: string) =>
  zipBytes({
    'output/server.js': text(`
      require('node:http')
        .createServer((req, res) => {
          console.log('served ' + req.method + ' ' + req.url);
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({
            version: ${JSON.stringify(version)},
            path: req.url,
            greeting: process.env.GREETING ?? null,
            secretMatches: process.env.API_SECRET === ${JSON.stringify(inject('canary'))},
          }));
        })
        .listen(process.env.PORT);
    `),
  });

const newProject = async (s: Store, name = `site-${Math.random().toString(36).slice(2, 10)}`) => {
  const res = await s.call('/projects', { body: { name } });
  expect(res.status).toBe(200);
  return (await res.json()).data.uuid as string;
};

const deploy = async (s: Store, projectUuid: string, bytes: Buffer, environment_variables?: unknown[]) => {
  const upload_uuid = await uploadBundle(s, bytes);
  const res = await s.call('/deployments', {
    body: {
      upload_uuid,
      project_uuid: projectUuid,
      ...(environment_variables ? { environment_variables } : {}),
    },
  });
  return res;
};

interface SseMessage {
  id?: string;
  data: Record<string, unknown>;
}

/** The messages (data with their ids) and comments of an SSE body. */
const parseSse = (raw: string) => {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  for (const block of raw.split('\n\n').filter(Boolean)) {
    const lines = block.split('\n');
    for (const line of lines) if (line.startsWith(':')) comments.push(line.slice(1).trim());
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
    if (data.length)
      messages.push({ ...(id === undefined ? {} : { id }), data: JSON.parse(data.join('\n')) });
  }
  return { messages, comments };
};

const streamRequest = (path: string, token: string, lastEventId?: string) =>
  fetch(`${gatewayUrl()}${path}`, {
    headers: {
      'x-auth-token': token,
      accept: 'text/event-stream',
      ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
    },
  });

/** Reads one connection of an SSE stream to its end. */
const readStream = async (path: string, token: string, lastEventId?: string) => {
  const res = await streamRequest(path, token, lastEventId);
  const raw = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), raw, ...parseSse(raw) };
};

const TERMINAL = new Set(['completed', 'failed']);

/**
 * Follows a deployment's events as a resuming client does: asking for ids from the first
 * request (`Last-Event-ID: -1`), then reconnecting with the last one until the outcome.
 */
const follow = async (s: Store, deploymentUuid: string) => {
  const all: SseMessage[] = [];
  let lastId = '-1';
  let connections = 0;
  while (connections++ < 60) {
    const { status, messages } = await readStream(
      `/stores/${s.hash}/v3/infrastructure/deployments/${deploymentUuid}/events`,
      s.token,
      lastId,
    );
    expect(status).toBe(200);
    all.push(...messages);
    lastId = messages.findLast((m) => m.id !== undefined)?.id ?? lastId;
    if (TERMINAL.has(String(all.at(-1)?.data.deployment_status))) return { messages: all, connections };
  }
  throw new Error(`no outcome for ${deploymentUuid}`);
};

describe('BigCommerce deployments: the whole flow as the Catalyst CLI does it', () => {
  it('deploys an output/ bundle, streams its steps to completed, and serves it at the project address', async () => {
    const s = await store();
    const project = await newProject(s);

    const created = await deploy(s, project, catalystBundle('v1'), [
      { type: 'plain_text', key: 'GREETING', value: 'hello from slipway' },
      { type: 'secret', key: 'API_SECRET', value: inject('canary') },
    ]);
    expect(created.status).toBe(200);
    const { data, meta } = await created.json();
    expect(meta).toEqual({});
    expect(data).toEqual({ deployment_uuid: expect.stringMatching(/^[0-9a-f-]{36}$/) });

    const { messages } = await follow(s, data.deployment_uuid);
    const steps = messages.map((m) => (m.data.event as { step: string } | null)?.step);
    expect(steps).toEqual(
      expect.arrayContaining([
        'initializing',
        'downloading',
        'unzipping',
        'processing',
        'deploying',
        'finalizing',
      ]),
    );
    const progress = messages.map((m) => (m.data.event as { progress: number } | null)?.progress ?? 0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    const last = messages.at(-1)?.data;
    expect(last).toMatchObject({
      deployment_uuid: data.deployment_uuid,
      deployment_status: 'completed',
      event: { step: 'complete', progress: 100 },
      deployment_url: `${gatewayUrl()}/sites/${project}/`,
      deployment_hostnames: [new URL(gatewayUrl()).host],
    });

    // No event of a deployment that did not fail carries `error`, not even `null`.
    expect(messages.filter((m) => 'error' in m.data)).toEqual([]);

    const site = await fetch(`${last?.deployment_url}hello?x=1`);
    expect(site.status).toBe(200);
    expect(await site.json()).toEqual({
      version: 'v1',
      path: '/hello?x=1',
      greeting: 'hello from slipway',
      secretMatches: true,
    });

    // The secret reached the application, and nothing else: not the API, not a log line.
    const fetched = await s.call(`/deployments/${data.deployment_uuid}`);
    expect(fetched.status).toBe(200);
    const view = await fetched.json();
    expect(view.data).toMatchObject({
      deployment_uuid: data.deployment_uuid,
      project_uuid: project,
      deployment_status: 'completed',
      deployment_url: last?.deployment_url,
    });
    expect(view.data).not.toHaveProperty('error');
    expect(view.data.steps.map((x: { step: string }) => x.step)).toContain('deploying');
    const connect = await api(`/projects`, { token: await tokenFor(s.hash, ['admin']) });
    const key = (await connect.json()).results[0].key;
    const inConnect = await api(`/${key}/deployments/${data.deployment_uuid}`, {
      token: await tokenFor(s.hash, ['admin']),
    });
    expect(inConnect.status).toBe(200);
    for (const text of [
      JSON.stringify(view),
      JSON.stringify(await inConnect.json()),
      readFileSync(inject('logFile'), 'utf8'),
    ])
      expect(text).not.toContain(inject('canary'));
  });

  it('replaces the last deployment at the same address, and lists both newest first', async () => {
    const s = await store();
    const project = await newProject(s);
    const first = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    const firstEnd = (await follow(s, first)).messages.at(-1)?.data;
    const second = (await (await deploy(s, project, catalystBundle('v2'))).json()).data.deployment_uuid;
    const secondEnd = (await follow(s, second)).messages.at(-1)?.data;

    expect(secondEnd?.deployment_url).toBe(firstEnd?.deployment_url);
    expect(await (await fetch(`${secondEnd?.deployment_url}`)).json()).toMatchObject({ version: 'v2' });

    const listed = await s.call(`/deployments?project_uuid=${project}`);
    expect(listed.status).toBe(200);
    const list = (await listed.json()).data;
    expect(list.map((d: { deployment_uuid: string }) => d.deployment_uuid)).toEqual([second, first]);
    // The one replaced says so (Slipway): superseded, naming the one served now, with no address.
    expect(list.map((d: { deployment_status: string }) => d.deployment_status)).toEqual([
      'completed',
      'superseded',
    ]);
    expect(list[1]).toMatchObject({ superseded_by: second, deployment_url: null });
  });

  it('serves static assets when output/ has no Node entry point', async () => {
    const s = await store();
    const project = await newProject(s);
    const bytes = zipBytes({
      'output/index.html': text('<link rel="stylesheet" href="site.css"><h1>Static</h1>'),
      'output/site.css': text('h1 { color: teal }'),
    });
    const id = (await (await deploy(s, project, bytes)).json()).data.deployment_uuid;
    const end = (await follow(s, id)).messages.at(-1)?.data;
    expect(end?.deployment_status).toBe('completed');

    const page = await fetch(String(end?.deployment_url));
    expect(await page.text()).toContain('<h1>Static</h1>');
    const css = await fetch(new URL('site.css', String(end?.deployment_url)));
    expect(css.status).toBe(200);
    expect(await css.text()).toContain('teal');
  });
});

describe('BigCommerce deployments: one at a time, failures, streams', () => {
  it('answers 409 with the documented title while a deployment is in progress', async () => {
    const s = await store();
    const project = await newProject(s);
    await holdExecutions('slipway-deploy', true);
    let first: string;
    try {
      const created = await deploy(s, project, catalystBundle('v1'));
      first = (await created.json()).data.deployment_uuid;
      const again = await deploy(s, project, catalystBundle('v2'));
      expect(again.status).toBe(409);
      expect(await again.json()).toMatchObject({ status: 409, title: IN_PROGRESS, errors: {} });
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
    expect((await follow(s, first)).messages.at(-1)?.data.deployment_status).toBe('completed');
  });

  it('closes a stream after its window without an outcome, and a reconnect with Last-Event-ID resumes it', async () => {
    const s = await store();
    const project = await newProject(s);
    await holdExecutions('slipway-deploy', true);
    let id: string;
    let firstConnection: Awaited<ReturnType<typeof readStream>>;
    try {
      id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
      // Held: the stream says "queued" and closes at the end of its window.
      firstConnection = await readStream(
        `/stores/${s.hash}/v3/infrastructure/deployments/${id}/events`,
        s.token,
      );
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
    expect(firstConnection.status).toBe(200);
    expect(firstConnection.contentType).toContain('text/event-stream');
    // Queued, then (the window outlasting the keep-alive) the same state again, nothing else.
    expect(new Set(firstConnection.messages.map((m) => m.data.deployment_status))).toEqual(
      new Set(['queued']),
    );

    const { messages } = await follow(s, id);
    expect(messages[0]?.data.event).toEqual({ step: 'initializing', progress: 5 });
    expect(messages.at(-1)?.data.deployment_status).toBe('completed');
  });

  it('gives a late subscriber the whole trail, and resumes after Last-Event-ID without repeats', async () => {
    const s = await store();
    const project = await newProject(s);
    const id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    const first = await follow(s, id);

    const path = `/stores/${s.hash}/v3/infrastructure/deployments/${id}/events`;
    const plain = await readStream(path, s.token);
    expect(plain.messages.map((m) => m.data)).toEqual(first.messages.map((m) => m.data));
    // Ids only for a client that asks for them: a plain request's events are one data line each.
    expect(plain.raw).not.toMatch(/^(id|event|retry):|^:/m);
    const late = await readStream(path, s.token, '-1');
    expect(late.messages.map((m) => m.data)).toEqual(first.messages.map((m) => m.data));
    const resumed = await readStream(path, s.token, late.messages.at(-3)?.id);
    expect(resumed.messages.map((m) => m.id)).toEqual(late.messages.slice(-2).map((m) => m.id));
  });

  it('fails a bundle over the documented limits with code 40 and the reason in words', async () => {
    const s = await store();
    const project = await newProject(s);
    const files: Record<string, Uint8Array> = {};
    for (let i = 0; i <= 1000; i++) files[`output/page-${i}.html`] = text(`<p>${i}</p>`);
    const id = (await (await deploy(s, project, zipBytes(files))).json()).data.deployment_uuid;

    const end = (await follow(s, id)).messages.at(-1)?.data;
    expect(end).toMatchObject({
      deployment_status: 'failed',
      deployment_url: null,
      error: { code: 40, message: expect.stringContaining('1001 files') },
    });
    const fetched = await (await s.call(`/deployments/${id}`)).json();
    expect(fetched.data.error).toEqual(end?.error);
  });

  it('fails a bundle that is not a zip with code 30', async () => {
    const s = await store();
    const project = await newProject(s);
    const id = (await (await deploy(s, project, Buffer.from('not a zip at all'))).json()).data
      .deployment_uuid;
    const end = (await follow(s, id)).messages.at(-1)?.data;
    expect(end).toMatchObject({
      deployment_status: 'failed',
      error: { code: 30, message: expect.any(String) },
    });
  });
});

describe('BigCommerce deployments: bad input, scopes and stores', () => {
  it('answers a malformed uuid with the documented 400, in the BigCommerce envelope', async () => {
    const s = await store();
    const res = await fetch(
      `${gatewayUrl()}/stores/${s.hash}/v3/infrastructure/deployments/not-a-uuid/events`,
      {
        headers: { 'x-auth-token': s.token },
      },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ status: 400, title: ':deploymentUuid should be valid UUID.' });
    expect((await s.call('/deployments/12345')).status).toBe(400);
  });

  it('names the field of a bad deployment request, and refuses an upload of another store', async () => {
    const s = await store();
    const project = await newProject(s);
    const missing = await s.call('/deployments', { body: { project_uuid: project } });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('upload_uuid');

    const badKey = await s.call('/deployments', {
      body: {
        upload_uuid: '00000000-0000-4000-8000-000000000000',
        project_uuid: project,
        environment_variables: [{ type: 'secret', key: 'PORT', value: 'x' }],
      },
    });
    expect(badKey.status).toBe(400);
    expect(JSON.stringify(await badKey.json())).toContain('environment_variables');

    const other = await store();
    const foreign = await uploadBundle(other, catalystBundle('v1'));
    const res = await s.call('/deployments', { body: { upload_uuid: foreign, project_uuid: project } });
    expect(res.status).toBe(404);
  });

  it('401 without a valid token, 403 without the scope, 404 for another store, on streams too', async () => {
    const s = await store();
    const project = await newProject(s);
    const id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    await follow(s, id);
    const events = `/deployments/${id}/events`;

    const anonymous = await fetch(`${gatewayUrl()}/stores/${s.hash}/v3/infrastructure${events}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ status: 401, type: expect.any(String) });

    const { token: logsOnly } = await createStoreAccessToken(s.hash, ['store_infrastructure_logs_read_only']);
    const forbidden = await s.call(events, { token: logsOnly });
    expect(forbidden.status).toBe(403);
    expect((await s.call('/deployments', { body: {}, token: logsOnly })).status).toBe(403);

    const other = await store();
    expect((await other.call(`/deployments/${id}`)).status).toBe(404);
    const across = await fetch(`${gatewayUrl()}/stores/${other.hash}/v3/infrastructure${events}`, {
      headers: { 'x-auth-token': other.token },
    });
    expect(across.status).toBe(404);
  });
});

describe('BigCommerce projects: deletion', () => {
  it('deletes a project with 204, undeploying its site, and frees its name', async () => {
    const s = await store();
    const project = await newProject(s, 'to-delete');
    const id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    const end = (await follow(s, id)).messages.at(-1)?.data;

    const deleted = await s.call(`/projects/${project}`, { method: 'DELETE' });
    expect(deleted.status).toBe(204);
    expect((await s.call(`/projects/${project}`)).status).toBe(404);
    expect((await s.call('/projects', { body: { name: 'to-delete' } })).status).toBe(200);
    const site = await fetch(String(end?.deployment_url));
    expect(site.status).toBe(404);
  });

  it('bulk-deletes with project_uuid:in, and answers 422 with the documented title without it', async () => {
    const s = await store();
    const a = await newProject(s);
    const b = await newProject(s);
    const keep = await newProject(s);

    const missing = await s.call('/projects', { method: 'DELETE' });
    expect(missing.status).toBe(422);
    expect(await missing.json()).toMatchObject({ status: 422, title: "'project_uuid:in' must be specified" });

    const res = await s.call(`/projects?project_uuid:in=${a},${b}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    const left = (await (await s.call('/projects')).json()).data.map((p: { uuid: string }) => p.uuid);
    expect(left).toEqual([keep]);
  });
});

describe('BigCommerce logs', () => {
  it("lists the application's output and the requests its address served, filtered", async () => {
    const s = await store();
    const project = await newProject(s);
    const id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    const url = String((await follow(s, id)).messages.at(-1)?.data.deployment_url);
    expect((await fetch(`${url}logged-path`)).status).toBe(200);

    const requests = await (await s.call(`/logs/${project}?entry_type=request`)).json();
    expect(requests.data).toContainEqual(
      expect.objectContaining({
        project_uuid: project,
        request: { method: 'GET', url: '/logged-path', status_code: 200 },
        logs: [],
      }),
    );
    expect(requests.meta.cursor_pagination).toMatchObject({ per_page: 100 });

    // The local host writes an application's output to its logs in batches, twice a second.
    const logLines = async () => {
      const logs = await (await s.call(`/logs/${project}?entry_type=log&level:min=info`)).json();
      expect(logs.data.every((e: { request: unknown }) => e.request === null)).toBe(true);
      return logs.data.flatMap((e: { logs: { messages: string[] }[] }) => e.logs.flatMap((l) => l.messages));
    };
    await expect.poll(logLines, { timeout: 10_000 }).toContain('served GET /logged-path');
  });

  it('refuses a window over 7 days, naming the parameter', async () => {
    const s = await store();
    const project = await newProject(s);
    const res = await s.call(`/logs/${project}?start=2026-01-01T00:00:00Z&end=2026-01-09T00:00:00Z`);
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('start');
  });

  it('tails new log entries live, with keep-alives that are entries too, and closes after its window', async () => {
    const s = await store();
    const project = await newProject(s);
    const id = (await (await deploy(s, project, catalystBundle('v1'))).json()).data.deployment_uuid;
    const url = String((await follow(s, id)).messages.at(-1)?.data.deployment_url);

    const res = await streamRequest(`/stores/${s.hash}/v3/infrastructure/logs/${project}/tail`, s.token);
    // The tail starts from now: a request made once it answered shows up in it.
    await fetch(`${url}while-tailing`);
    const raw = await res.text();
    const { status } = res;
    const { messages, comments } = parseSse(raw);

    expect(status).toBe(200);
    expect(comments).toEqual([]);
    // A quiet tail's keep-alive is an entry with no lines, which a JSON-parsing reader accepts.
    expect(messages.map((m) => m.data)).toContainEqual({
      uuid: expect.any(String),
      project_uuid: project,
      request: null,
      logs: [],
      exceptions: [],
      timestamp: expect.any(String),
    });
    expect(messages.map((m) => m.data.request)).toContainEqual({
      method: 'GET',
      url: '/while-tailing',
      status_code: 200,
    });
  });
});
