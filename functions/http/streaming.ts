import type { Writable } from 'node:stream';
import type { APIGatewayProxyEventV2, Context, StreamifyHandler } from 'aws-lambda';
import { MethodNotAllowed, ResourceNotFound } from '../core/shared/errors.ts';
import { type CallerDeps, callerResolver } from './caller.ts';
import { dialectForPath } from './dialects.ts';
import { logger } from './logger.ts';
import { type ApiEvent, apiHandler, type Operation, type PipelineOptions } from './pipeline.ts';
import { errorResponse, type HttpResult } from './responses.ts';
import { matchRoute, routeKey } from './routes.ts';

/**
 * The body of a streamed response. `write` sends a chunk at once; `signal` aborts when the
 * client went away, and the function should then return. The response ends when it resolves.
 * The status and headers reach the client with the first chunk (as Lambda sends them), so a
 * stream that may stay silent a while starts with a comment line (`:\n\n`).
 */
export type StreamBody = (write: (chunk: string) => void, signal: AbortSignal) => Promise<void>;

export type StreamingResult = HttpResult & { stream: StreamBody };

/** A Server-Sent Events response: `stream` writes the events. */
export const sse = (stream: StreamBody, headers: Record<string, string> = {}): StreamingResult => ({
  statusCode: 200,
  headers: {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    // Proxies that buffer responses (nginx and its kin) pass this one through as it comes.
    'x-accel-buffering': 'no',
    ...headers,
  },
  stream,
});

const isStreaming = (result: HttpResult): result is StreamingResult =>
  typeof (result as Partial<StreamingResult>).stream === 'function';

/**
 * Gives a function URL event (route key `$default`, no path parameters, no authorizer) what
 * API Gateway gives the routes it serves, then runs the shared pipeline. Errors come back as
 * the dialect's envelope.
 */
const answer = async (
  resolveCaller: ReturnType<typeof callerResolver>,
  run: (event: ApiEvent, context: Context) => Promise<HttpResult>,
  // biome-ignore lint/suspicious/noExplicitAny: see apiHandler
  operations: Record<string, Operation<any, any>>,
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<HttpResult> => {
  const { method } = event.requestContext.http;
  const dialect = dialectForPath(event.rawPath);
  try {
    const match = matchRoute(method, event.rawPath);
    if (match.kind === 'method-not-allowed')
      return errorResponse(dialect, new MethodNotAllowed(method, event.rawPath, match.allowed)).result;
    // A route of another function is not found here: the distribution sends only this one's paths.
    if (match.kind === 'not-found' || !Object.hasOwn(operations, routeKey(match.route)))
      return errorResponse(dialect, new ResourceNotFound(`No route for ${method} ${event.rawPath}.`)).result;

    const apiEvent = event as ApiEvent;
    apiEvent.routeKey = routeKey(match.route);
    apiEvent.pathParameters = match.pathParameters;
    if (match.route.scopes !== null) {
      // CloudFront signs its requests to the function URL with SigV4 in Authorization: the
      // viewer's own never arrives (`infra/constructs/edge.ts`), so callers use X-Auth-Token.
      const headers = Object.entries(event.headers ?? {}).filter(
        ([name]) => name.toLowerCase() !== 'authorization',
      );
      const caller = await resolveCaller({ headers: Object.fromEntries(headers) });
      apiEvent.requestContext.authorizer = {
        lambda:
          caller.context.authenticated === 'false' &&
          !headers.some(([name]) => name.toLowerCase() === 'x-auth-token')
            ? { authenticated: 'false', reason: STREAMS_TAKE_STORE_TOKENS }
            : caller.context,
      };
    }
    return await run(apiEvent, context);
  } catch (error) {
    const { result, internal } = errorResponse(dialect, error);
    if (internal) logger.error('streaming request failed', { path: event.rawPath, error: error as Error });
    return result;
  }
};

/** Why a stream refuses a request without `X-Auth-Token` (a bearer token never reaches it on AWS). */
const STREAMS_TAKE_STORE_TOKENS =
  'Authentication required: streams take a store access token in X-Auth-Token (an Authorization header is not read here).';

/**
 * Writes a result to the response stream (a stream's body until it resolves) and returns the
 * stream to end.
 */
const send = async (
  result: HttpResult,
  responseStream: Writable,
  signal: AbortSignal,
  head: boolean,
): Promise<Writable> => {
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
  );
  const out = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: result.statusCode ?? 200,
    headers,
    ...(result.cookies?.length ? { cookies: result.cookies } : {}),
  });
  // A HEAD gets the stream's status and headers at once: running the stream would hold the
  // answer (and the function) for the stream's whole life, to send a body HEAD never has.
  if (isStreaming(result) && !head) {
    try {
      await result.stream((chunk) => {
        if (!signal.aborted) out.write(chunk);
      }, signal);
    } catch (error) {
      // The status is out already: the client can only see the stream end early.
      logger.error('response stream failed', { error: error as Error });
    }
  } else if (result.body && !head) {
    out.write(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
  }
  return out;
};

/**
 * The handler of a function whose routes are `streaming` (`routes.ts`): served by a function
 * URL in response-streaming mode, where no Lambda authorizer runs. It resolves the route and
 * the caller itself, then runs the same pipeline as `apiHandler` (authorization, validation,
 * the error envelope); an operation answers with `sse(...)` to stream, or with any other result.
 */
export const streamingApiHandler = (
  // biome-ignore lint/suspicious/noExplicitAny: see apiHandler
  operations: Record<string, Operation<any, any>>,
  callerDeps: CallerDeps,
  options: PipelineOptions = {},
): StreamifyHandler<APIGatewayProxyEventV2, void> => {
  const run = apiHandler(operations, [], options);
  const resolveCaller = callerResolver(callerDeps);
  return awslambda.streamifyResponse<APIGatewayProxyEventV2, void>(async (event, responseStream, context) => {
    // The stream closes (or fails) before this handler ends it only when the client went away.
    const client = new AbortController();
    const hangUp = () => client.abort();
    responseStream.on('close', hangUp).on('error', hangUp);
    const out = await send(
      await answer(resolveCaller, run, operations, event, context),
      responseStream,
      client.signal,
      event.requestContext.http.method === 'HEAD',
    );
    responseStream.off('close', hangUp);
    // The runtime waits for the stream to finish (or the client to go) before the invocation ends.
    out.end();
  });
};
