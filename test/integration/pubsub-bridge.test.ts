/**
 * The Pub/Sub bridge an event application runs behind on AWS, as Lambda runs it: the bundle a
 * build copies into the application's folder, started by the folder's `run.sh`, with a real
 * application in a child process. The test plays the Lambda Web Adapter: it POSTs SQS events to
 * the bridge's path and sends the readiness check.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRunScript } from '../../functions/builds/run-script.ts';
import { EVENTS_BRIDGE_PATH } from '../../functions/core/hosting/hosted-events.ts';
import { AWS_BUNDLE_OPTIONS } from '../../functions/local/bundle.ts';
import { freePort } from '../../functions/local/ports.ts';

/** Answers pushes to /events (500 when the message's attribute `reject` is set), lists what it got. */
const APP = `
import { createServer } from 'node:http';
const received = [];
createServer(async (req, res) => {
  let body = '';
  for await (const chunk of req) body += chunk;
  if (req.method === 'GET' && req.url === '/received') return res.end(JSON.stringify(received));
  if (req.method === 'GET' && req.url === '/health') return res.end('ok');
  if (req.method === 'POST' && req.url === '/events') {
    const push = JSON.parse(body);
    received.push(push);
    res.statusCode = push.message.attributes.reject ? 500 : 204;
    return res.end();
  }
  res.statusCode = 404;
  res.end();
}).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('app listening'));
`;

const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:slipway-app';

const record = (messageId: string, body: string, attributes: Record<string, string> = {}) => ({
  messageId,
  receiptHandle: `handle-${messageId}`,
  body,
  attributes: { ApproximateReceiveCount: '1', SentTimestamp: '1764000000000' },
  messageAttributes: Object.fromEntries(
    Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String' }]),
  ),
  eventSource: 'aws:sqs',
  eventSourceARN: QUEUE_ARN,
  awsRegion: 'eu-west-1',
});

describe('the Pub/Sub bridge in front of an event application', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bridge-'));
  const bridgeBundle = join(mkdtempSync(join(tmpdir(), 'slipway-bridge-bundle-')), 'pubsub-bridge.mjs');
  let app: ChildProcess;
  let base: string;

  beforeAll(async () => {
    // The folder a build leaves: the application, and what the build adds for Lambda.
    writeFileSync(join(dir, 'server.mjs'), APP);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { start: 'node server.mjs' } }));
    // Bundled as CodeBuild's source holds it (infra/constructs/workflows.ts).
    await build({
      entryPoints: [
        { in: join(import.meta.dirname, '../../functions/builds/pubsub-bridge.ts'), out: 'pubsub-bridge' },
      ],
      outdir: dirname(bridgeBundle),
      ...AWS_BUNDLE_OPTIONS,
    });
    writeRunScript(dir, { name: 'events', type: 'event' }, bridgeBundle);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = spawn('sh', [join(dir, 'run.sh')], {
      env: { PATH: process.env.PATH, PORT: String(port), SLIPWAY_EVENT_ENDPOINT: '/events' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    // Both announce they listen: the application, then (or before) the bridge.
    const waiting = new Set(['app listening', '[slipway] Pub/Sub bridge']);
    for await (const line of createInterface({ input: app.stdout as Readable })) {
      for (const start of waiting) if (line.startsWith(start)) waiting.delete(start);
      if (waiting.size === 0) break;
    }
    if (waiting.size > 0) throw new Error(`run.sh ended before ${[...waiting].join(' and ')}`);
    app.stdout?.resume(); // what they print later is not read
    // The Web Adapter's readiness check, through the bridge to the application.
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  afterAll(async () => {
    if (app.exitCode === null) {
      app.kill('SIGTERM');
      await once(app, 'exit');
    }
    rmSync(dir, { recursive: true, force: true });
    rmSync(dirname(bridgeBundle), { recursive: true, force: true });
  });

  const deliver = async (records: ReturnType<typeof record>[]) => {
    const answer = await fetch(`${base}${EVENTS_BRIDGE_PATH}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Records: records }),
    });
    expect(answer.status).toBe(200);
    return (await answer.json()) as { batchItemFailures: { itemIdentifier: string }[] };
  };
  const received = async () =>
    (await (await fetch(`${base}/received`)).json()) as { message: { messageId: string } }[];

  it('pushes each SQS record to the endpoint in Pub/Sub form and acknowledges it', async () => {
    const message = JSON.stringify({ resource: { typeId: 'order' }, type: 'OrderCreated' });
    const result = await deliver([record('m-1', message, { origin: 'test' })]);

    expect(result).toEqual({ batchItemFailures: [] });
    const [push] = (await received()).slice(-1);
    expect(push).toEqual({
      message: {
        data: Buffer.from(message).toString('base64'),
        messageId: 'm-1',
        message_id: 'm-1',
        publishTime: new Date(1764000000000).toISOString(),
        publish_time: new Date(1764000000000).toISOString(),
        attributes: { origin: 'test' },
      },
      subscription: QUEUE_ARN,
    });
  });

  it('reports only the records the application refused as batch item failures', async () => {
    const before = (await received()).length;
    const result = await deliver([record('m-2', '"a"'), record('m-3', '"b"', { reject: 'yes' })]);

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-3' }] });
    expect((await received()).slice(before).map((p) => p.message.messageId)).toEqual(['m-2', 'm-3']);
  });

  it('answers 400 to a body that is not an SQS event, and passes other requests through', async () => {
    const bad = await fetch(`${base}${EVENTS_BRIDGE_PATH}`, { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });

  it('stops the application when it is stopped', async () => {
    app.kill('SIGTERM');
    await once(app, 'exit');
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });
});

describe('run.sh, as a build writes it for Lambda', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-run-sh-'));
  const bridge = join(dir, 'bridge.mjs');
  writeFileSync(bridge, '// the bridge bundle');
  const folder = (files: Record<string, string>) => {
    const app = mkdtempSync(join(dir, 'app-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(app, name), content);
    return app;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("starts a service's entry point, and keeps a run.sh the application brings", () => {
    const plain = folder({ 'server.js': '' });
    writeRunScript(plain, { name: 'svc', type: 'service' }, bridge);
    expect(readFileSync(join(plain, 'run.sh'), 'utf8')).toContain('exec node "server.js"');
    expect(existsSync(join(plain, '.slipway'))).toBe(false);

    const own = folder({ 'run.sh': '#!/bin/sh\nexec my-server\n' });
    writeRunScript(own, { name: 'svc', type: 'job' }, bridge);
    expect(readFileSync(join(own, 'run.sh'), 'utf8')).toBe('#!/bin/sh\nexec my-server\n');
  });

  it("puts the bridge in front of an event application's own run.sh", () => {
    const own = folder({ 'run.sh': '#!/bin/sh\nexec my-server\n' });
    writeRunScript(own, { name: 'events', type: 'event' }, bridge);
    expect(readFileSync(join(own, 'app-run.sh'), 'utf8')).toBe('#!/bin/sh\nexec my-server\n');
    expect(readFileSync(join(own, 'run.sh'), 'utf8')).toContain(
      'exec node ".slipway/pubsub-bridge.mjs" "sh" "app-run.sh"',
    );
    expect(readFileSync(join(own, '.slipway', 'pubsub-bridge.mjs'), 'utf8')).toBe('// the bridge bundle');
  });

  it('names the application that has no entry point', () => {
    expect(() => writeRunScript(folder({}), { name: 'empty-app', type: 'event' }, bridge)).toThrow(
      /No Node entry point in empty-app/,
    );
  });
});
