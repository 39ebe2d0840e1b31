import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { InvalidRequest, PayloadTooLarge, RequestHeadersTooLarge } from '../core/shared/errors.ts';
import { corsHeaders } from '../http/cors.ts';
import { dialectForPath } from '../http/dialects.ts';
import { logger } from '../http/logger.ts';
import { errorResponse } from '../http/responses.ts';
import {
  AUTHORIZER_FUNCTION,
  DEFAULT_ROUTE_FUNCTION,
  headRouteKey,
  matchRoute,
  routeKey,
} from '../http/routes.ts';
import type { Invoke, InvokeStream } from './lambda-runtime.ts';

/**
 * The local stand-in for API Gateway (HTTP API, payload format 2.0): every request becomes
 * the event the deployed API sends, goes through the same Lambda authorizer (on routes that
 * have scopes) and the same handler, and the result is mapped back the way API Gateway does.
 * A `streaming` route is what CloudFront and a function URL make of it on AWS: no authorizer,
 * the function URL's event, and the handler's response stream written through as it comes.
 */

export interface GatewayOptions {
  invoke: Invoke;
  /** Runs the handler of a `streaming` route with a response stream over `res`. */
  invokeStream?: InvokeStream;
  maxBodyBytes: number;
  /**
   * Serves `/assets/…` and `/apps/…` (the local hosting's assets applications and services'
   * stable addresses) before any routing; true when it answered, false to route it as usual.
   */
  hosted?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Serves the web console at `/console/` (`console-assets.ts`); true when it answered. */
  console?: (req: IncomingMessage, res: ServerResponse, path: string) => boolean;
  /** Origins allowed to call the API from a browser (`functions/http/cors.ts`); none: CORS off. */
  corsOrigins?: readonly string[];
  /** Sees every response body as written (tests look through them for secrets). */
  observe?: (path: string, statusCode: number, body: Buffer) => void;
}

/** Hands what `res` writes to `observe` once it is finished (at most the first 4 MB). */
const observeResponse = (
  res: ServerResponse,
  path: string,
  observe: NonNullable<GatewayOptions['observe']>,
) => {
  const chunks: Buffer[] = [];
  let size = 0;
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function' || size > 4 * 1024 * 1024)
      return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += bytes.length;
    chunks.push(bytes);
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as typeof res.write;
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return end(chunk, ...rest);
  }) as typeof res.end;
  res.once('finish', () => observe(path, res.statusCode, Buffer.concat(chunks)));
};

/** Media types API Gateway passes as text; everything else arrives base64-encoded. */
const TEXT_TYPES =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded|graphql)\b)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
let clfCache = { second: -1, text: '' };

/** `requestContext.time` in API Gateway's format, computed once per second. */
const clf = (epochMs: number): string => {
  const second = Math.floor(epochMs / 1000);
  if (second !== clfCache.second) {
    const d = new Date(epochMs);
    const p = (n: number) => String(n).padStart(2, '0');
    clfCache = {
      second,
      text: `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`,
    };
  }
  return clfCache.text;
};

class BodyTooLarge extends Error {}

const EMPTY = Buffer.alloc(0);

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer> | Buffer => {
  // No Content-Length and no Transfer-Encoding: HTTP/1.1 says there is no body.
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined)
    return EMPTY;
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLarge());
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
};

/** Headers as HTTP API sends them: lower-case names, repeated values joined with commas, cookies apart. */
const eventHeaders = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') continue;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
};

const queryParameters = (rawQuery: string): Record<string, string> | undefined => {
  if (rawQuery === '') return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQuery)) {
    out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return out;
};

/** The parts of a request target, split once: `/a/b?x=1` → path `/a/b`, query `x=1`. */
export const splitTarget = (target: string | undefined): { path: string; rawQueryString: string } => {
  const url = target ?? '/';
  const q = url.indexOf('?');
  return q < 0
    ? { path: url, rawQueryString: '' }
    : { path: url.slice(0, q), rawQueryString: url.slice(q + 1) };
};

export const buildEvent = (
  req: IncomingMessage,
  body: Buffer,
  route: { routeKey: string; pathParameters?: Record<string, string> },
  requestId: string = randomUUID(),
): APIGatewayProxyEventV2 => {
  const { path, rawQueryString } = splitTarget(req.url);
  const headers = eventHeaders(req);
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const now = Date.now();
  const host = headers.host ?? '127.0.0.1';
  const isText = body.length === 0 || TEXT_TYPES.test(headers['content-type'] ?? '');
  const method = req.method ?? 'GET';
  const queryStringParameters = queryParameters(rawQueryString);
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: path,
    rawQueryString,
    ...(cookies?.length ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(route.pathParameters && Object.keys(route.pathParameters).length > 0
      ? { pathParameters: route.pathParameters }
      : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: route.routeKey,
      stage: '$default',
      time: clf(now),
      timeEpoch: now,
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !isText,
  };
};

const authorizerEvent = (event: APIGatewayProxyEventV2): APIGatewayRequestAuthorizerEventV2 => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: `arn:aws:execute-api:us-east-1:000000000000:local/$default/${event.requestContext.http.method}${event.rawPath}`,
  identitySource: [event.headers.authorization ?? event.headers['x-auth-token'] ?? ''].filter(Boolean),
  routeKey: event.routeKey,
  rawPath: event.rawPath,
  rawQueryString: event.rawQueryString,
  cookies: event.cookies ?? [],
  headers: event.headers as Record<string, string>,
  queryStringParameters: (event.queryStringParameters ?? {}) as Record<string, string>,
  requestContext: event.requestContext,
  pathParameters: (event.pathParameters ?? {}) as Record<string, string>,
  stageVariables: {},
});

/** API Gateway's rules for a payload 2.0 result: a bare value means 200 JSON. */
const sendResult = (res: ServerResponse, result: unknown, requestId: string): void => {
  const structured =
    typeof result === 'object' && result !== null && 'statusCode' in result
      ? (result as APIGatewayProxyStructuredResultV2)
      : { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
  const headers: Record<string, string | string[]> = { 'apigw-requestid': requestId };
  for (const [name, value] of Object.entries(structured.headers ?? {}))
    headers[name.toLowerCase()] = String(value);
  if (structured.cookies?.length) headers['set-cookie'] = structured.cookies;
  // Text bodies go out as strings: Node then writes headers and body in one write, where a
  // Buffer body costs a separate writev (measured as a fifth of the gateway's CPU time).
  const body = structured.isBase64Encoded
    ? Buffer.from(structured.body ?? '', 'base64')
    : (structured.body ?? '');
  headers['content-length'] = String(typeof body === 'string' ? Buffer.byteLength(body) : body.length);
  res.writeHead(structured.statusCode ?? 200, headers);
  res.end(body);
};

const sendError = (res: ServerResponse, path: string, error: unknown, requestId: string): void => {
  sendResult(res, errorResponse(dialectForPath(path), error).result, requestId);
};

/**
 * What Node's HTTP parser refuses before any handler runs (headers over its 16 KB limit, a
 * malformed request line) is answered in the dialect's envelope, as API Gateway answers in its
 * own, instead of Node's bare status line.
 */
const answerClientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex) => {
  if (!socket.writable) return socket.destroy();
  const target = /^[A-Z]+ (\S+)/.exec(error.rawPacket?.subarray(0, 2048).toString('latin1') ?? '')?.[1];
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const appError = tooLarge
    ? new RequestHeadersTooLarge()
    : new InvalidRequest('The request could not be parsed as HTTP/1.1.');
  const { result } = errorResponse(dialectForPath(splitTarget(target).path), appError);
  const body = String(result.body ?? '');
  // Node's parser refused the request, and the client may still be sending its body: stop
  // parsing, read and drop what arrives, and half-close after the answer. Closing a socket
  // with unread data resets the connection before the client reads the answer. A client still
  // sending after a few seconds is cut off.
  socket.removeAllListeners('data');
  socket.on('data', () => undefined);
  socket.on('error', () => undefined);
  const cutOff = setTimeout(() => socket.destroy(), 5_000);
  cutOff.unref();
  socket.once('close', () => clearTimeout(cutOff));
  socket.end(
    `HTTP/1.1 ${result.statusCode} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  );
};

export const createGateway = (options: GatewayOptions): Server =>
  createServer(async (req, res) => {
    const { path } = splitTarget(req.url);
    if (options.observe) observeResponse(res, path, options.observe);
    if (options.console?.(req, res, path)) return;
    if (
      options.hosted &&
      (path.startsWith('/assets/') || path.startsWith('/apps/')) &&
      options.hosted(req, res)
    )
      return;
    // CORS as the HTTP API's configuration does it: a preflight is answered here, before any
    // authorizer or handler; every other answer to an allowed origin carries its headers.
    const cors = corsHeaders(options.corsOrigins ?? [], {
      method: req.method ?? 'GET',
      origin: req.headers.origin,
      requestMethod: req.headers['access-control-request-method'],
    });
    if (cors?.preflight) {
      res.writeHead(204, cors.headers).end();
      return;
    }
    for (const [name, value] of Object.entries(cors?.headers ?? {})) res.setHeader(name, value);
    const requestId = randomUUID();
    let body: Buffer;
    try {
      body = await readBody(req, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLarge) {
        // Answer at once and read (dropping it) the rest of the body: a socket closed with
        // unread data resets the connection before the client reads the 413. A client still
        // sending after a few seconds is cut off.
        req.resume();
        const cutOff = setTimeout(() => req.socket.destroy(), 5_000);
        cutOff.unref();
        req.once('end', () => clearTimeout(cutOff));
        return sendError(res, path, new PayloadTooLarge(options.maxBodyBytes), requestId);
      }
      return sendError(res, path, error, requestId);
    }

    try {
      const match = matchRoute(req.method ?? 'GET', path);
      if (match.kind !== 'route') {
        const event = buildEvent(req, body, { routeKey: '$default' }, requestId);
        return sendResult(res, await options.invoke(DEFAULT_ROUTE_FUNCTION, event), requestId);
      }
      if (match.route.streaming) {
        if (!options.invokeStream)
          throw new Error(`${routeKey(match.route)} streams, but the gateway was given no invokeStream`);
        // A function URL's event: its only route is `$default`, with no path parameters.
        await options.invokeStream(
          match.route.function,
          buildEvent(req, body, { routeKey: '$default' }, requestId),
          res,
        );
        return;
      }
      // A HEAD request reaches a GET route through its HEAD twin, as on the HTTP API.
      const key =
        req.method === 'HEAD' && match.route.method === 'GET'
          ? headRouteKey(match.route)
          : routeKey(match.route);
      const event = buildEvent(req, body, { routeKey: key, pathParameters: match.pathParameters }, requestId);
      if (match.route.scopes !== null) {
        const auth = (await options.invoke(
          AUTHORIZER_FUNCTION,
          authorizerEvent(event),
        )) as APIGatewaySimpleAuthorizerWithContextResult<Record<string, string>>;
        if (!auth.isAuthorized) {
          return sendResult(
            res,
            { statusCode: 403, body: JSON.stringify({ message: 'Forbidden' }) },
            requestId,
          );
        }
        (event.requestContext as unknown as Record<string, unknown>).authorizer = { lambda: auth.context };
      }
      return sendResult(res, await options.invoke(match.route.function, event), requestId);
    } catch (error) {
      // What API Gateway does when an integration fails: the client sees a 5xx, never the stack.
      logger.error('gateway invocation failed', { path, error: error as Error });
      // A stream that fails once its head went out can only end early (`invokeStream` cut it).
      if (res.headersSent) return;
      return sendError(res, path, error, requestId);
    }
  }).on('clientError', answerClientError);

export const listen = (server: Server, port: number, host = '127.0.0.1'): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
