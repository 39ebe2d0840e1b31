/**
 * `kill -9` of `npm start` (its whole process group) with webhook deliveries pending, then a
 * start on the same data folder: none is lost. One waits for its retry (its receiver was down
 * when it was first tried); one was in flight when the process died (its receiver had not
 * answered yet). After the restart both arrive, signed, with the `webhook-id` they had.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { freePort } from '../../functions/local/ports.ts';
import { defaultWorkspaceDir } from '../../functions/local/stack.ts';
import { type Server, startServer } from '../fixtures/server.ts';
import { type Receiver, startReceiver } from '../fixtures/webhook-receiver.ts';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
type Json = any;

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-webhook-crash-'));
/** As a developer with a receiver on their own machine would start it. */
const env = { SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK: 'true' };
let server: Server;
const receivers: Receiver[] = [];

const call = async (path: string, body?: unknown): Promise<Json> => {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: Json = await res.json();
  if (res.status >= 300) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
};

const subscribe = (url: string) => call('/crashy/webhooks', { url, events: ['deployment.status_changed'] });

const firstAttempt = (id: string) =>
  vi.waitFor(
    async () => {
      const [delivery] = (await call(`/crashy/webhooks/${id}/deliveries`)).results;
      if (!delivery?.attempts.length) throw new Error('not attempted yet');
      return delivery;
    },
    { timeout: 20_000, interval: 50 },
  );

beforeAll(async () => {
  server = await startServer({ dataDir, env });
  await call('/projects', { key: 'crashy' });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  for (const r of receivers) await r.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(defaultWorkspaceDir(dataDir), { recursive: true, force: true });
});

describe('a crash of npm start with webhook deliveries pending', () => {
  it('loses none: the retry due and the attempt in flight both go out after the restart', async () => {
    // A: its receiver is down, so its first attempt fails and a retry is due within seconds.
    const downPort = await freePort();
    const a = await subscribe(`http://127.0.0.1:${downPort}/hooks`);
    // B: its receiver takes the request and never answers, so the attempt is in flight at the kill.
    const hanging = await startReceiver();
    receivers.push(hanging);
    hanging.answer = () => ({ status: 200, delayMs: 3_600_000 });
    const b = await subscribe(hanging.url);

    const pingA = await call(`/crashy/webhooks/${a.id}/ping`, {});
    const pingB = await call(`/crashy/webhooks/${b.id}/ping`, {});
    const failed = await firstAttempt(a.id);
    await hanging.until(1);
    expect(failed).toMatchObject({
      status: 'pending',
      attempts: [{ error: expect.stringContaining('ECONNREFUSED') }],
    });

    if (server.child.pid) process.kill(-server.child.pid, 'SIGKILL');
    await new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
    const up = await startReceiver(downPort);
    receivers.push(up);
    hanging.answer = () => ({ status: 200 });
    const restartedAt = Date.now();
    server = await startServer({ dataDir, env });

    const [gotA] = await up.until(1, () => true, 30_000);
    const gotB = (await hanging.until(2, () => true, 30_000))[1];
    console.log(
      `webhook crash: both pending deliveries arrived ${Date.now() - restartedAt} ms after the restart began`,
    );

    for (const [secret, got, ping] of [
      [a.secret, gotA, pingA],
      [b.secret, gotB, pingB],
    ] as const) {
      expect(got?.headers['webhook-id']).toBe(ping.messageId);
      expect(
        new Webhook(secret).verify(got?.raw ?? '', got?.headers as Record<string, string>),
      ).toMatchObject({
        type: 'webhook.ping',
      });
    }
    const delivered = await vi.waitFor(async () => {
      const [d] = (await call(`/crashy/webhooks/${b.id}/deliveries`)).results;
      if (d?.status !== 'succeeded') throw new Error('not recorded yet');
      return d;
    });
    // The attempt the crash cut short has no outcome; the one after the restart succeeded.
    expect(delivered.attempts.at(-1)).toMatchObject({ statusCode: 200 });
  }, 150_000);
});
