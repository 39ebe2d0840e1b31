import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { type Server, startServer } from '../fixtures/server.ts';
import {
  CATALYST_STEPS,
  CatalystDeploymentEvent,
  readNaively,
  readWithParser,
  TailEntry,
} from '../fixtures/sse-readers.ts';
import { holdExecutions } from '../fixtures/workflows.ts';

/**
 * The BigCommerce streams as their simplest real reader sees them: BigCommerce's own CLI
 * splits each chunk on blank lines, strips `data:` and parses JSON, then validates each event;
 * a standard SSE parser must read the same. Against `npm start` itself, with the streams'
 * own windows (a deployment's 30 s) and a one-second keep-alive, so keep-alives are read too.
 */

let server: Server;

beforeAll(async () => {
  server = await startServer({
    env: {
      SLIPWAY_STREAM_KEEPALIVE_SECONDS: '1',
      SLIPWAY_STREAM_POLL_MS: '100',
      SLIPWAY_LOG_TAIL_SECONDS: '60',
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
type Json = any;

const json = (res: Response): Promise<Json> => res.json();

const call = (path: string, init: { method?: string; body?: unknown } = {}) =>
  fetch(`${server.url}/stores/${server.storeHash}/v3/infrastructure${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'x-auth-token': server.storeToken, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });

/** The Catalyst CLI's calls: a project, an upload signature, the PUT, the deployment. */
const deploy = async (bundle: Buffer): Promise<{ project: string; deployment: string }> => {
  const created = await call('/projects', { body: { name: `streams-${Date.now().toString(36)}` } });
  const project = (await json(created)).data.uuid as string;
  const { upload_url, upload_uuid } = (await json(await call('/deployments/uploads', { body: {} }))).data;
  const put = await fetch(upload_url, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: bundle,
  });
  expect(put.ok).toBe(true);
  const res = await call('/deployments', { body: { upload_uuid, project_uuid: project } });
  expect(res.status).toBe(200);
  return { project, deployment: (await json(res)).data.deployment_uuid };
};

const events = (deployment: string, headers: Record<string, string> = {}) =>
  fetch(`${server.url}/stores/${server.storeHash}/v3/infrastructure/deployments/${deployment}/events`, {
    headers: { 'x-auth-token': server.storeToken, accept: 'text/event-stream', ...headers },
  });

/** A CommonJS server, as Catalyst's output/ holds one: no package.json, `require`, PORT. */
const SERVER = `
const http = require('node:http');
http.createServer((req, res) => {
  if (req.url === '/burst') {
    for (let i = 0; i < 1000; i++) console.log('burst line ' + i);
    res.end('ok');
    return;
  }
  res.setHeader('content-type', 'text/html');
  res.end('<h1>storefront</h1>');
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

describe('the deployment events stream', () => {
  let completed: { project: string; deployment: string; read: unknown[] };

  it('is read whole by the naive reader: every step, the hostname, and no error field', async () => {
    const { project, deployment } = await deploy(zipBytes({ 'output/server.js': text(SERVER) }));
    const read = await readNaively(await events(deployment));
    const parsed = read.map((e) => CatalystDeploymentEvent.parse(e));

    expect(new Set(parsed.map((e) => e.event?.step))).toEqual(new Set(CATALYST_STEPS));
    expect(parsed.every((e) => e.deployment_uuid === deployment && e.error === undefined)).toBe(true);
    expect(read.some((e) => Object.hasOwn(e as object, 'error'))).toBe(false);
    const last = parsed.at(-1);
    expect(last?.deployment_status).toBe('completed');
    const hostname = last?.deployment_hostnames?.[0];
    expect(hostname).toBe(new URL(server.url).host);
    // The CLI shows https://<hostname>; the address itself is deployment_url.
    expect(await (await fetch(String(last?.deployment_url))).text()).toContain('storefront');
    // Its project chooser requires every listed project's hostnames.
    const listed = (await json(await call(`/projects?uuid:in=${project}`))).data;
    expect(listed).toEqual([expect.objectContaining({ uuid: project, deployment_hostnames: [hostname] })]);
    completed = { project, deployment, read };
  });

  it('reads the same with a standard SSE parser, with no ids unless asked, and with ids when asked', async () => {
    const plain = await readWithParser(await events(completed.deployment));
    expect(plain.map((e) => e.data)).toEqual(completed.read);
    expect(plain.every((e) => e.id === undefined)).toBe(true);

    const resumable = await readWithParser(await events(completed.deployment, { 'last-event-id': '-1' }));
    expect(resumable.map((e) => e.data)).toEqual(completed.read);
    expect(resumable.map((e) => e.id)).toEqual(resumable.map((_, i) => String(i)));
    const after = await readWithParser(await events(completed.deployment, { 'last-event-id': '3' }));
    expect(after.map((e) => e.data)).toEqual(completed.read.slice(4));
  });

  it('gives a failing bundle its numeric code and a message without host paths or stack frames', async () => {
    const crash = `require('./missing-module');\n`;
    const { deployment } = await deploy(zipBytes({ 'output/server.js': text(crash) }));
    const parsed = (await readNaively(await events(deployment))).map((e) => CatalystDeploymentEvent.parse(e));
    const last = parsed.at(-1);
    expect(last?.deployment_status).toBe('failed');
    expect(last?.error).toEqual({
      code: 50,
      message: expect.stringContaining("Cannot find module './missing-module'"),
    });
    const message = String(last?.error?.message);
    expect(message).not.toContain(server.dataDir);
    expect(message).not.toMatch(/\n\s+at |file:\/\/|node:internal|127\.0\.0\.1/);
    // Only the failing event carries an error.
    expect(parsed.filter((e) => e.error !== undefined)).toHaveLength(1);
  });

  it('keeps a quiet stream open with complete events a naive reader parses: the current state again', async () => {
    const sfn = server.runtimeEnv();
    await holdExecutions('slipway-deploy', true, sfn);
    try {
      const { deployment } = await deploy(zipBytes({ 'output/server.js': text(SERVER) }));
      // Held: nothing moves, so after the first state every event is a keep-alive.
      const read = await readNaively(await events(deployment), (e) => e.length >= 3);
      expect(read.map((e) => CatalystDeploymentEvent.parse(e))).toEqual([
        expect.objectContaining({ deployment_uuid: deployment, deployment_status: 'queued', event: null }),
        expect.objectContaining({ deployment_uuid: deployment, deployment_status: 'queued', event: null }),
        expect.objectContaining({ deployment_uuid: deployment, deployment_status: 'queued', event: null }),
      ]);
    } finally {
      await holdExecutions('slipway-deploy', false, sfn);
    }
  });
});

describe('the log tail', () => {
  it('delivers 1,000 lines an app writes at once, in order, none lost, to the naive reader', async () => {
    const { project, deployment } = await deploy(zipBytes({ 'output/server.js': text(SERVER) }));
    const end = (await readNaively(await events(deployment))).at(-1) as { deployment_url: string };
    const tail = await fetch(
      `${server.url}/stores/${server.storeHash}/v3/infrastructure/logs/${project}/tail`,
      {
        headers: { 'x-auth-token': server.storeToken, accept: 'text/event-stream' },
      },
    );
    expect(tail.status).toBe(200);
    // The tail is open once its headers arrived: the burst that follows is in it.
    expect((await fetch(`${end.deployment_url}burst`)).status).toBe(200);
    const burstLines = (entries: unknown[]) =>
      entries
        .map((e) => TailEntry.parse(e))
        .flatMap((e) => e.logs.flatMap((l) => l.messages))
        .filter((m) => m.startsWith('burst line '));
    const read = await readNaively(tail, (entries) => burstLines(entries).length >= 1000);
    expect(burstLines(read)).toEqual(Array.from({ length: 1000 }, (_, i) => `burst line ${i}`));
    // The request itself is in the tail too.
    expect(read.map((e) => TailEntry.parse(e).request?.url)).toContain('/burst');
  });

  it('keeps a quiet tail open with entries that parse, not comments', async () => {
    const { project, deployment } = await deploy(zipBytes({ 'output/server.js': text(SERVER) }));
    await readNaively(await events(deployment));
    const tail = await fetch(
      `${server.url}/stores/${server.storeHash}/v3/infrastructure/logs/${project}/tail`,
      {
        headers: { 'x-auth-token': server.storeToken },
      },
    );
    const read = await readNaively(tail, (entries) => entries.length >= 2);
    expect(read.map((e) => TailEntry.parse(e))).toEqual([
      expect.objectContaining({ project_uuid: project, request: null, logs: [], exceptions: [] }),
      expect.objectContaining({ project_uuid: project, request: null, logs: [], exceptions: [] }),
    ]);
  });
});
