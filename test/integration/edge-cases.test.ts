import { connect } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { newStore } from '../fixtures/stores.ts';
import { api, gatewayUrl, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * What randomized requests found answering 500 (or a bare status) once, each kept as a
 * regression test: over-long identifiers, malformed forwarding headers, odd site paths,
 * oversized bodies and headers, HEAD, and the BigCommerce dialect's wording.
 */

let token: string;
let projectKey: string;

beforeAll(async () => {
  token = await tokenFor(newTenant(), ['admin']);
  projectKey = uniqueKey('edge');
  expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
});

/** Sends `head` (a request line and headers, CRLF-separated) as raw bytes; answers the raw response. */
const raw = (head: string, body = ''): Promise<string> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(gatewayUrl());
    const socket = connect(Number(port), hostname, () => {
      // Written, not ended: the server closes the connection after its answer (connection: close).
      socket.write(
        Buffer.concat([
          Buffer.from(`${head}\r\nhost: ${hostname}:${port}\r\nconnection: close\r\n\r\n`, 'latin1'),
          Buffer.from(body),
        ]),
      );
    });
    let out = '';
    socket.on('data', (chunk) => {
      out += chunk.toString('latin1');
    });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });

const statusOf = (response: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);
const bodyOf = (response: string) => response.slice(response.indexOf('\r\n\r\n') + 4);

describe('identifiers longer than any resource has', () => {
  const long = 'k'.repeat(2_000);
  it.each([
    ['GET', `/projects/${long}`],
    ['GET', `/PROJECT/deployments/${long}`],
    ['GET', `/PROJECT/deployments/key=${long}`],
    ['DELETE', `/PROJECT/deployments/${long}`],
    ['GET', `/PROJECT/deployments/${long}/logs`],
    ['GET', `/PROJECT/uploads/${long}`],
    ['GET', `/connectors/drafts/${long}`],
    ['GET', `/connectors/key=${long}`],
    ['GET', `/${long}/deployments`],
  ])('%s %s answers 404 in the envelope, not 500', async (method, path) => {
    const res = await api(path.replace('PROJECT', projectKey), { method, token });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ statusCode: 404, errors: [{ code: 'ResourceNotFound' }] });
  });

  it('refuses a redeploy of an over-long id with 404', async () => {
    const res = await api(`/${projectKey}/deployments/${long}`, {
      token,
      body: { version: 1, actions: [{ action: 'redeploy' }] },
    });
    expect(res.status).toBe(404);
  });
});

describe('forwarding headers from clients', () => {
  it.each([['@'], ['[::1'], ['a b'], ['host:99999'], ['evil.example.com']])(
    'never break, nor steer, the addresses a response carries (x-forwarded-host: %s)',
    async (host) => {
      const s = await newStore([
        'store_infrastructure_projects_manage',
        'store_infrastructure_deployments_manage',
      ]);
      const res = await s.call('/projects', { body: { name: uniqueKey('fwd') } });
      const project = (await res.json()).data.uuid;
      const list = await fetch(
        `${gatewayUrl()}/stores/${s.hash}/v3/infrastructure/deployments?project_uuid=${project}`,
        {
          headers: { 'x-auth-token': s.token, 'x-forwarded-host': host, 'x-forwarded-proto': ':' },
        },
      );
      expect(list.status).toBe(200);
      const projects = await fetch(`${gatewayUrl()}/stores/${s.hash}/v3/infrastructure/projects`, {
        headers: { 'x-auth-token': s.token, 'x-forwarded-host': host, 'x-forwarded-proto': 'javascript' },
      });
      expect(projects.status).toBe(200);
      expect(JSON.stringify(await projects.json())).not.toContain('evil.example.com');
    },
  );
});

describe('a site address without its trailing slash', () => {
  it('redirects a project id to its folder', async () => {
    const id = '6e167862-9819-4847-ab00-24b567dc19ab';
    const response = await raw(`GET /sites/${id}?a=1 HTTP/1.1`);
    expect(statusOf(response)).toBe(308);
    expect(response).toMatch(new RegExp(`\\r\\nlocation: http://[^\\r]+/sites/${id}/\\?a=1\\r\\n`, 'i'));
  });

  it.each([['/sites/..%2f..%2fprojects'], ['/sites/%e2%98%83'], ['/sites/%01%02'], ['/sites/\u00e9t\u00e9']])(
    'answers 404 (or 400, for bytes HTTP does not allow in a path) for %s, echoing nothing into a header',
    async (path) => {
      const response = await raw(`GET ${path} HTTP/1.1`);
      expect([400, 404]).toContain(statusOf(response));
      expect(bodyOf(response)).not.toContain('General');
      expect(response.toLowerCase()).not.toContain('location:');
    },
  );
});

describe('oversized requests', () => {
  it('answers 413 in the envelope to a body over the limit, and the client reads it', async () => {
    const body = 'x'.repeat(2 * 1024 * 1024);
    const res = await api('/projects', { token, headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ statusCode: 413, errors: [{ code: 'PayloadTooLarge' }] });
  });

  it('answers 413 to a chunked body over the limit, read to its end', async () => {
    const chunk = 'y'.repeat(64 * 1024);
    const stream = new ReadableStream({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode(chunk));
        if (++sent >= 40) controller.close();
      },
    });
    let sent = 0;
    const res = await fetch(`${gatewayUrl()}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
  });

  it('answers 431 in the dialect envelope to headers over the limit', async () => {
    const connect = await raw(`GET /projects HTTP/1.1\r\nx-big: ${'a'.repeat(100_000)}`);
    expect(statusOf(connect)).toBe(431);
    expect(JSON.parse(bodyOf(connect))).toMatchObject({
      statusCode: 431,
      errors: [{ code: 'RequestHeadersTooLarge' }],
    });
    const store = await raw(
      `GET /stores/abc/v3/infrastructure/projects HTTP/1.1\r\nx-big: ${'a'.repeat(100_000)}`,
    );
    expect(JSON.parse(bodyOf(store))).toMatchObject({ status: 431, code: 'RequestHeadersTooLarge' });
  });
});

describe("requests Node's parser refuses", () => {
  it('answers 400 in the envelope to an unknown method with a large body, and the client reads it', async () => {
    // The answer comes before the body is read; the body is drained so the close is not a reset.
    const res = await raw(
      `FOO /projects HTTP/1.1\r\ncontent-type: application/json\r\ncontent-length: ${4 * 1024 * 1024}`,
      'z'.repeat(4 * 1024 * 1024),
    );
    expect(statusOf(res)).toBe(400);
    expect(JSON.parse(bodyOf(res))).toMatchObject({ statusCode: 400, errors: [{ code: 'InvalidRequest' }] });
  });
});

describe('HEAD', () => {
  it('answers a GET route with its status and headers and no body', async () => {
    const get = await api('/health');
    const head = await api('/health', { method: 'HEAD' });
    expect(head.status).toBe(get.status);
    expect(head.headers.get('content-type')).toBe(get.headers.get('content-type'));
    expect(await head.text()).toBe('');
    const projects = await api(`/projects/${projectKey}`, { method: 'HEAD', token });
    expect(projects.status).toBe(200);
  });

  it('lists HEAD among the methods a GET path allows', async () => {
    const res = await api('/health', { method: 'PUT' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toContain('HEAD');
  });
});

describe('the BigCommerce dialect speaks its own terms', () => {
  it('asks for an X-Auth-Token, not only a bearer token, when none is sent', async () => {
    const res = await fetch(`${gatewayUrl()}/stores/abc/v3/infrastructure/projects`);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { title: string }).title).toContain('X-Auth-Token');
  });

  it('names a duplicate project by its name', async () => {
    const s = await newStore(['store_infrastructure_projects_manage']);
    const name = uniqueKey('dup');
    await s.call('/projects', { body: { name } });
    const again = await s.call('/projects', { body: { name: name.toUpperCase() } });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ status: 409, errors: { name: expect.any(String) } });
  });

  it('calls a body of the wrong shape invalid, not "not JSON"', async () => {
    const s = await newStore(['store_infrastructure_projects_manage']);
    const res = await s.call('/projects', { body: { name: 'x' } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.title).toMatch(/^The request body is not valid: name/);
    expect(body.title).not.toContain('does not contain valid JSON');
  });

  it('refuses uuid:in with something that is not a uuid, as DELETE does', async () => {
    const s = await newStore(['store_infrastructure_projects_manage']);
    const res = await s.call('/projects?uuid:in=not-a-uuid');
    expect(res.status).toBe(400);
    expect(JSON.stringify(await res.json())).toContain('uuid:in');
  });
});

describe('what the fuzz found (test/proof/fuzz.test.ts)', () => {
  it('refuses a body nested thousands of levels deep with 400, an Idempotency-Key or not', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`;
    for (const headers of [{}, { 'idempotency-key': uniqueKey('deep') }] as Record<string, string>[]) {
      const res = await api(`/${projectKey}/deployments`, {
        token,
        headers: { 'content-type': 'application/json', ...headers },
        body: deep,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ statusCode: 400, errors: [{ code: 'InvalidJsonInput' }] });
    }
  });

  it('answers HEAD of a log tail at once, without running the stream (3 s in tests)', async () => {
    const s = await newStore(['store_infrastructure_projects_manage', 'store_infrastructure_logs_read_only']);
    const project = (await (await s.call('/projects', { body: { name: uniqueKey('head') } })).json()).data
      .uuid;
    const started = Date.now();
    const res = await s.call(`/logs/${project}/tail`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    expect(await res.text()).toBe('');
    // A stream that ran would hold the answer for its whole window (SLIPWAY_LOG_TAIL_SECONDS,
    // 3 s in tests): ending sooner is the proof it did not run, however busy the machine.
    expect(Date.now() - started).toBeLessThan(Number(process.env.SLIPWAY_LOG_TAIL_SECONDS ?? '3') * 1_000);
  });

  it('answers 405 with the methods a site forwards to TRACE, which fetch cannot forward (not 502)', async () => {
    const response = await raw('TRACE /sites/6e167862-9819-4847-ab00-24b567dc19ab/ HTTP/1.1');
    expect(statusOf(response)).toBe(405);
    expect(response).toMatch(/\r\nallow: GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS\r\n/i);
  });
});
