import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bundlePath, HANDLER_BUNDLE_OPTIONS } from '../../functions/local/bundle.ts';
import { buildEvent, listen } from '../../functions/local/gateway.ts';
import { type LambdaRuntime, lambdaRuntime } from '../../functions/local/lambda-runtime.ts';
import { createStoreAccessToken, newTenant } from '../helpers.ts';

/**
 * Streaming handlers run by the local Lambda runtime behind a plain HTTP server (as the local
 * gateway serves `streaming` routes), read with fetch chunk by chunk. The handlers wait on a
 * probe the test controls, so each step is awaited, never timed.
 */

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

const deferred = (): Deferred => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

/** What the handlers wait on (`proceed`) and report to (`closed`: they saw the client go). */
interface Probe {
  proceed: Deferred;
  closed: Deferred;
}

const PROBE = Symbol.for('slipway.test.streaming-probe');
const probe = (): Probe => (globalThis as unknown as Record<symbol, Probe>)[PROBE] as Probe;

/** Handler bundles as `bundleHandlers` lays them out, written by hand. */
const RAW_HANDLERS: Record<string, string> = {
  // Writes one event, waits for the test (or the client to go), writes another and ends.
  ticker: `
    const probe = () => globalThis[Symbol.for('slipway.test.streaming-probe')];
    export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
      const closed = new Promise((resolve) => responseStream.once('close', () => resolve('closed')));
      const out = awslambda.HttpResponseStream.from(responseStream, {
        statusCode: 201,
        headers: { 'Content-Type': 'text/event-stream', 'x-path': event.rawPath },
      });
      out.write('data: one\\n\\n');
      if ((await Promise.race([probe().proceed.promise, closed])) === 'closed') {
        probe().closed.resolve();
        return;
      }
      out.write('data: two\\n\\n');
      out.end();
    });`,
  // Fails once its first event went out.
  failing: `
    const probe = () => globalThis[Symbol.for('slipway.test.streaming-probe')];
    export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
      const out = awslambda.HttpResponseStream.from(responseStream, { statusCode: 200 });
      out.write('data: one\\n\\n');
      await probe().proceed.promise;
      throw new Error('the event source failed');
    });`,
  plain: `export const handler = async () => ({ statusCode: 200, body: 'buffered' });`,
};

/** A streaming API handler over two routes of the table: one public, one that needs `admin`. */
const apiHandlerSource = (functionsDir: string) => `
  import { operation } from ${JSON.stringify(join(functionsDir, 'http', 'pipeline.ts'))};
  import { sse, streamingApiHandler } from ${JSON.stringify(join(functionsDir, 'http', 'streaming.ts'))};
  import { authDeps } from ${JSON.stringify(join(functionsDir, 'wiring', 'auth.ts'))};

  const probe = () => globalThis[Symbol.for('slipway.test.streaming-probe')];

  export const handler = streamingApiHandler({
    'GET /health': operation({
      run: async () =>
        sse(async (write, signal) => {
          write('data: first\\n\\n');
          const aborted = new Promise((resolve) => signal.addEventListener('abort', () => resolve(true)));
          if (await Promise.race([probe().proceed.promise.then(() => false), aborted])) {
            probe().closed.resolve();
            return;
          }
          write('data: second\\n\\n');
        }),
    }),
    'GET /projects': operation({
      run: async ({ principal }) =>
        sse(async (write) => {
          write('data: ' + principal().tenant + '\\n\\n');
        }),
    }),
  }, authDeps);`;

const decoder = new TextDecoder();

const readChunk = async (reader: ReadableStreamDefaultReader<Uint8Array>): Promise<string | undefined> => {
  const { value, done } = await reader.read();
  return done ? undefined : decoder.decode(value);
};

let dir: string;
let runtime: LambdaRuntime;
let server: Server;
let base: string;
/** The last request's invocation: resolves with its error, or undefined when it succeeded. */
let invocation: Promise<Error | undefined> | undefined;

const lastInvocation = (): Promise<Error | undefined> => {
  if (!invocation) throw new Error('No request reached the server');
  return invocation;
};

/** GETs `path` from the function the `x-test-function` header names. */
const call = (name: string, path = '/', init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { ...init.headers, 'x-test-function': name } });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-streaming-'));
  for (const [name, source] of Object.entries(RAW_HANDLERS)) {
    mkdirSync(dirname(bundlePath(dir, name)), { recursive: true });
    writeFileSync(bundlePath(dir, name), source);
  }
  const entry = join(dir, 'events-entry.mjs');
  writeFileSync(entry, apiHandlerSource(join(import.meta.dirname, '..', '..', 'functions')));
  await build({ entryPoints: { 'events/index': entry }, outdir: dir, ...HANDLER_BUNDLE_OPTIONS });

  runtime = lambdaRuntime(dir);
  server = createServer((req, res) => {
    const event = buildEvent(req, Buffer.alloc(0), { routeKey: '$default' });
    invocation = runtime.invokeStream(String(req.headers['x-test-function']), event, res).then(
      () => undefined,
      (error: Error) => {
        if (!res.headersSent) res.writeHead(502).end(error.message);
        return error;
      },
    );
  });
  base = `http://127.0.0.1:${await listen(server, 0)}`;
}, 60_000);

afterAll(() => {
  server?.close();
  server?.closeAllConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  (globalThis as unknown as Record<symbol, Probe>)[PROBE] = { proceed: deferred(), closed: deferred() };
  invocation = undefined;
});

describe('local Lambda runtime: response streaming', () => {
  it('sends the status and headers before the stream ends, then each chunk as it is written', async () => {
    const response = await call('ticker', '/events?x=1');
    let ended = false;
    void lastInvocation().then(() => {
      ended = true;
    });

    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-path')).toBe('/events');
    expect(response.headers.get('content-length')).toBeNull();
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: one\n\n');
    expect(ended).toBe(false);

    probe().proceed.resolve();
    expect(await readChunk(reader)).toBe('data: two\n\n');
    expect(await readChunk(reader)).toBeUndefined();
    expect(await lastInvocation()).toBeUndefined();
  });

  it('ends the response when the handler ends its stream', async () => {
    probe().proceed.resolve();

    const response = await call('ticker');

    expect(await response.text()).toBe('data: one\n\ndata: two\n\n');
    expect(await lastInvocation()).toBeUndefined();
  });

  it("closes the handler's stream when the client goes away", async () => {
    const client = new AbortController();
    const response = await call('ticker', '/', { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: one\n\n');

    client.abort();

    await probe().closed.promise;
    expect(await lastInvocation()).toBeUndefined();
  });

  it('cuts the response short when the handler fails after its head went out', async () => {
    const response = await call('failing');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: one\n\n');

    probe().proceed.resolve();

    await expect(reader.read()).rejects.toThrow();
    expect((await lastInvocation())?.message).toBe('the event source failed');
  });

  it('refuses a handler that is not a streaming one, and invoke refuses a streaming one', async () => {
    const response = await call('plain');

    expect(response.status).toBe(502);
    expect(await response.text()).toMatch(/'plain' is not a streaming handler/);
    await expect(runtime('ticker', {})).rejects.toThrow(/'ticker' is a streaming handler/);
  });
});

describe('streamingApiHandler in the local runtime', () => {
  it('streams an operation as Server-Sent Events, chunk by chunk', async () => {
    const response = await call('events', '/health');

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: first\n\n');
    probe().proceed.resolve();
    expect(await readChunk(reader)).toBe('data: second\n\n');
    expect(await readChunk(reader)).toBeUndefined();
    expect(await lastInvocation()).toBeUndefined();
  });

  it("aborts the stream's signal when the client goes away", async () => {
    const client = new AbortController();
    const response = await call('events', '/health', { signal: client.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(await readChunk(reader)).toBe('data: first\n\n');

    client.abort();

    await probe().closed.promise;
    expect(await lastInvocation()).toBeUndefined();
  });

  it("authenticates with X-Auth-Token, ignoring Authorization (CloudFront's SigV4 signature)", async () => {
    const tenant = newTenant();
    const { token } = await createStoreAccessToken(tenant, ['admin']);

    const response = await call('events', '/projects', {
      headers: { 'x-auth-token': token, authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=00' },
    });

    expect(response.status).toBe(200);
    expect(await response.text()).toBe(`data: ${tenant}\n\n`);
  });

  it("answers 401 in the dialect's envelope without a credential", async () => {
    const response = await call('events', '/projects');

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toMatchObject({
      statusCode: 401,
      errors: [{ code: 'AuthenticationError' }],
    });
  });

  it('answers a bearer token 401 saying streams take X-Auth-Token', async () => {
    const response = await call('events', '/projects', {
      headers: { authorization: 'Bearer some.jwt.token' },
    });

    expect(response.status).toBe(401);
    expect(((await response.json()) as { message: string }).message).toContain('X-Auth-Token');
  });

  it('answers 404 in the envelope for a route it does not serve', async () => {
    const response = await call('events', '/projects/some-key');

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ statusCode: 404, errors: [{ code: 'ResourceNotFound' }] });
  });
});
