import type { Server } from 'node:http';
import { request } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createGateway, listen } from '../../functions/local/gateway.ts';
import { api, gatewayUrl } from '../helpers.ts';

/**
 * A second gateway in the test process whose "Lambdas" record what they receive, to check
 * the API Gateway event mapping field by field; then the run's real gateway for errors.
 */
describe('event and result mapping', () => {
  const calls: { name: string; event: Record<string, unknown> }[] = [];
  let next: unknown = { statusCode: 200, body: 'ok' };
  let server: Server;
  let base: string;

  beforeAll(async () => {
    server = createGateway({
      maxBodyBytes: 1024,
      invoke: async (name, event) => {
        calls.push({ name, event: event as Record<string, unknown> });
        return name === 'authorizer'
          ? { isAuthorized: true, context: { authenticated: 'false', reason: 'test' } }
          : next;
      },
    });
    base = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterAll(() => {
    server.close();
    server.closeAllConnections();
  });
  beforeEach(() => {
    calls.length = 0;
    next = { statusCode: 200, body: 'ok' };
  });

  const handlerEvent = () =>
    calls.find((c) => c.name !== 'authorizer')?.event as unknown as APIGatewayProxyEventV2;

  it('maps path, query, headers and cookies the way HTTP API payload 2.0 does', async () => {
    await fetch(`${base}/projects/my%20shop?limit=5&sort=a&sort=b`, {
      headers: { 'X-Custom': 'One', cookie: 'a=1; b=2' },
    });

    const event = handlerEvent();
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /projects/{projectKey}',
      rawPath: '/projects/my%20shop',
      rawQueryString: 'limit=5&sort=a&sort=b',
      queryStringParameters: { limit: '5', sort: 'a,b' },
      pathParameters: { projectKey: 'my shop' },
      cookies: ['a=1', 'b=2'],
      isBase64Encoded: false,
      requestContext: { stage: '$default', http: { method: 'GET', path: '/projects/my%20shop' } },
    });
    expect(event.headers['x-custom']).toBe('One');
    expect(event.headers.cookie).toBeUndefined();
  });

  it('passes a JSON body as text and a binary body as base64', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x7f]);

    await fetch(`${base}/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"k":1}',
    });
    const json = handlerEvent();
    calls.length = 0;
    await fetch(`${base}/projects`, {
      method: 'POST',
      headers: { 'content-type': 'application/zip' },
      body: bytes,
    });
    const binary = handlerEvent();

    expect(json).toMatchObject({ body: '{"k":1}', isBase64Encoded: false });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body ?? '', 'base64')).toEqual(bytes);
  });

  it('runs the authorizer on protected routes and hands its context to the handler', async () => {
    await fetch(`${base}/projects`);

    expect(calls.map((c) => c.name)).toEqual(['authorizer', 'projects']);
    expect(handlerEvent().requestContext).toMatchObject({
      authorizer: { lambda: { authenticated: 'false', reason: 'test' } },
    });
  });

  it.each([
    ['GET', '/health'],
    ['POST', '/oauth/token'],
  ])('does not run the authorizer on the public route %s %s', async (method, path) => {
    await fetch(`${base}${path}`, { method });

    expect(calls.map((c) => c.name)).not.toContain('authorizer');
  });

  it('sends unrouted requests to the $default function', async () => {
    await fetch(`${base}/no/such/route`);

    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ name: 'fallback', event: { routeKey: '$default' } });
  });

  it('maps status, headers, cookies and a base64 body back to HTTP', async () => {
    next = {
      statusCode: 202,
      headers: { 'X-Answer': '42', 'content-type': 'application/octet-stream' },
      cookies: ['s=1; Path=/', 't=2; HttpOnly'],
      body: Buffer.from([1, 2, 3, 255]).toString('base64'),
      isBase64Encoded: true,
    };

    const res = await fetch(`${base}/health`);

    expect(res.status).toBe(202);
    expect(res.headers.get('x-answer')).toBe('42');
    expect(res.headers.getSetCookie()).toEqual(['s=1; Path=/', 't=2; HttpOnly']);
    expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from([1, 2, 3, 255]));
  });

  it('answers a bare result as 200 JSON, as API Gateway does', async () => {
    next = { hello: 'world' };

    const res = await fetch(`${base}/health`);

    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ hello: 'world' });
  });
});

describe('gateway errors, in the dialect envelope', () => {
  const expectCleanJson = async (res: Response) => {
    const text = await res.text();
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(text).not.toContain('    at ');
    return JSON.parse(text);
  };

  it('answers 404 ResourceNotFound for an unknown path', async () => {
    const res = await api('/no/such/thing');

    expect(res.status).toBe(404);
    expect(await expectCleanJson(res as Response)).toMatchObject({
      statusCode: 404,
      errors: [{ code: 'ResourceNotFound' }],
    });
  });

  it('answers an unknown BigCommerce path in the BigCommerce envelope', async () => {
    const res = await api('/stores/abc123/v3/nothing-here');

    expect(res.status).toBe(404);
    expect(await expectCleanJson(res as Response)).toMatchObject({
      status: 404,
      title: expect.any(String),
      type: expect.any(String),
      errors: {},
    });
  });

  it.each([
    ['DELETE', '/health', 'GET, HEAD'],
    ['PUT', '/projects', 'POST, GET, HEAD'],
  ])('answers %s %s with 405 and Allow: %s', async (method, path, allow) => {
    const res = await api(path, { method });

    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe(allow);
    expect((await expectCleanJson(res as Response)).errors[0].code).toBe('MethodNotAllowed');
  });

  it('answers 413 PayloadTooLarge for a body over 1 MB with Content-Length', async () => {
    const res = await api('/projects', {
      body: JSON.stringify({ key: 'big', name: 'x'.repeat(1_048_577) }),
      headers: { 'content-type': 'application/json' },
    });

    expect(res.status).toBe(413);
    expect((await expectCleanJson(res as Response)).errors[0]).toMatchObject({ code: 'PayloadTooLarge' });
  });

  it('answers 413 for a chunked body that grows over 1 MB', async () => {
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${gatewayUrl()}/projects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d: Buffer) => {
          text += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      for (let i = 0; i < 20; i++) req.write('x'.repeat(64 * 1024));
      req.end();
    });

    expect(status).toBe(413);
    expect(JSON.parse(body).errors[0].code).toBe('PayloadTooLarge');
  });

  it('lets a body just under the limit through to the handler', async () => {
    const res = await api('/projects', {
      body: JSON.stringify({ key: 'k', pad: 'x'.repeat(1_000_000) }),
      headers: { 'content-type': 'application/json' },
    });

    expect(res.status).toBe(401); // reached the handler, which wants a token
  });
});

describe('the local gateway with CORS on (SLIPWAY_CORS_ORIGINS)', () => {
  let server: Server;
  let base: string;
  const invoked: string[] = [];

  beforeAll(async () => {
    server = createGateway({
      maxBodyBytes: 1024,
      corsOrigins: ['https://console.example.com'],
      invoke: async (name) => {
        invoked.push(name);
        return name === 'authorizer'
          ? { isAuthorized: true, context: { authenticated: 'false', reason: 'test' } }
          : { statusCode: 200, headers: { etag: '"1"' }, body: '{}' };
      },
    });
    base = `http://127.0.0.1:${await listen(server, 0)}`;
  });
  afterAll(() => {
    server.close();
    server.closeAllConnections();
  });

  it('answers a preflight itself, before the authorizer or any handler, as the HTTP API does', async () => {
    invoked.length = 0;
    const res = await fetch(`${base}/projects`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://console.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(res.headers.get('access-control-allow-methods')).toContain('POST');
    expect(res.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(invoked).toEqual([]);
  });

  it('adds the headers to the answer for an allowed origin, and none for another', async () => {
    const allowed = await fetch(`${base}/projects`, { headers: { origin: 'https://console.example.com' } });
    const other = await fetch(`${base}/projects`, { headers: { origin: 'https://evil.example' } });

    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('etag');
    expect(allowed.headers.get('etag')).toBe('"1"');
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});
