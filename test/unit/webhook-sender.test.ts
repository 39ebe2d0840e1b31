/**
 * The webhook sender against real sockets on 127.0.0.1: what it refuses to connect to (the
 * resolver is injected, so a name can resolve anywhere without DNS), redirects, time limits and
 * how much of an answer it reads.
 */
import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeWebhookSender } from '../../functions/adapters/webhooks/sender.ts';

let server: Server;
let port: number;
const seen: { host?: string; path?: string }[] = [];

const resolving =
  (table: Record<string, string[]>, calls: string[] = []) =>
  async (hostname: string): Promise<LookupAddress[]> => {
    calls.push(hostname);
    return (table[hostname] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const request = (url: string) => ({
  url,
  headers: { 'content-type': 'application/json' },
  body: '{"ping":true}',
});

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ host: req.headers.host, path: req.url });
    req.resume();
    if (req.url === '/redirect') res.writeHead(302, { location: `http://127.0.0.1:${port}/target` }).end();
    else if (req.url === '/large') res.writeHead(200).end('y'.repeat(1024 * 1024));
    else if (req.url === '/silent')
      return; // never answers
    else res.writeHead(200, { 'retry-after': '7' }).end('é'.repeat(600));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as AddressInfo).port;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the webhook sender', () => {
  it('refuses a name that resolves to a private address, before connecting', async () => {
    const sender = nodeWebhookSender({
      allowLoopback: () => true,
      resolve: resolving({ 'hooks.example.test': ['10.0.0.5'] }),
    });
    const before = seen.length;

    const result = await sender.send(request(`http://hooks.example.test:${port}/`));

    expect(result.error).toBe(
      'Refused: hooks.example.test resolves to 10.0.0.5 is a private address (RFC 1918)',
    );
    expect(result.statusCode).toBeUndefined();
    expect(seen.length).toBe(before);
  });

  it('refuses a name with any refused address among its answers (a mixed answer is not tried in part)', async () => {
    const sender = nodeWebhookSender({
      allowLoopback: () => false,
      resolve: resolving({ 'mixed.example.test': ['93.184.216.34', '169.254.169.254'] }),
    });

    const result = await sender.send(request('https://mixed.example.test/'));

    expect(result.error).toContain('169.254.169.254 is a link-local address');
  });

  it('refuses loopback unless configured, resolving once per attempt and connecting to exactly what it checked', async () => {
    const calls: string[] = [];
    const resolve = resolving({ 'rebind.example.test': ['127.0.0.1'] }, calls);
    const strict = nodeWebhookSender({ allowLoopback: () => false, resolve });
    const local = nodeWebhookSender({ allowLoopback: () => true, resolve });

    const refused = await strict.send(request(`http://rebind.example.test:${port}/`));
    const sent = await local.send(request(`http://rebind.example.test:${port}/hook`));

    expect(refused.error).toContain('127.0.0.1 is a loopback address');
    expect(sent.statusCode).toBe(200);
    expect(seen.at(-1)).toEqual({ host: `rebind.example.test:${port}`, path: '/hook' });
    expect(calls).toEqual(['rebind.example.test', 'rebind.example.test']);
  });

  it('refuses literal addresses without resolving them, the metadata address included', async () => {
    const sender = nodeWebhookSender({ allowLoopback: () => true, resolve: resolving({}) });

    for (const url of [
      'http://169.254.169.254/latest/meta-data/',
      'http://[::ffff:169.254.169.254]/',
      'http://10.1.2.3/',
    ])
      expect((await sender.send(request(url))).error, url).toMatch(/^Refused: /);
  });

  it('does not follow a redirect', async () => {
    const sender = nodeWebhookSender({ allowLoopback: () => true });
    const before = seen.length;

    const result = await sender.send(request(`http://127.0.0.1:${port}/redirect`));

    expect(result.statusCode).toBe(302);
    expect(seen.slice(before).map((s) => s.path)).toEqual(['/redirect']);
  });

  it('keeps the first kilobyte of the answer, reads no more than its limit, and passes Retry-After on', async () => {
    const sender = nodeWebhookSender({ allowLoopback: () => true, maxResponseBytes: 64 * 1024 });

    const small = await sender.send(request(`http://127.0.0.1:${port}/`));
    const large = await sender.send(request(`http://127.0.0.1:${port}/large`));

    expect(Buffer.byteLength(small.responseBody ?? '')).toBeLessThanOrEqual(1024);
    expect(small.responseBody?.startsWith('é'.repeat(500))).toBe(true);
    expect(small.retryAfter).toBe('7');
    expect(large).toMatchObject({ statusCode: 200, responseBody: 'y'.repeat(1024) });
  });

  it('gives up on an endpoint that does not answer within the time limit', async () => {
    const sender = nodeWebhookSender({ allowLoopback: () => true, timeoutMs: 300 });

    const result = await sender.send(request(`http://127.0.0.1:${port}/silent`));

    expect(result.error).toContain('timed out');
    expect(result.durationMs).toBeGreaterThanOrEqual(290);
    expect(result.durationMs).toBeLessThan(2000);
  });

  it('reports a refused connection as a failure, not a throw', async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const free = (closed.address() as AddressInfo).port;
    closed.close();

    const result = await nodeWebhookSender({ allowLoopback: () => true }).send(
      request(`http://127.0.0.1:${free}/`),
    );

    expect(result.error).toContain('ECONNREFUSED');
  });
});
