import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpJsonBodyParser from '@middy/http-json-body-parser';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, Context } from 'aws-lambda';
import type * as z from 'zod';
import { config } from '../config.ts';
import type { AuditLog } from '../core/audit/audit.ts';
import { authorize, authorizeStore } from '../core/auth/access.ts';
import { AuthenticationError } from '../core/auth/errors.ts';
import type { Principal } from '../core/auth/principal.ts';
import type { RateLimitDeps } from '../core/limits/rate-limits.ts';
import {
  InvalidJsonInput,
  PayloadTooLarge,
  ResourceNotFound,
  UnsupportedMediaType,
} from '../core/shared/errors.ts';
import { attributeRequest, auditTrail } from './audit-trail.ts';
import { type AuthorizerContext, principalFromContext } from './authorizer-context.ts';
import { dialectForPath } from './dialects.ts';
import { logger } from './logger.ts';
import { MIDDY_OPTIONS } from './middy-options.ts';
import { rateLimited, withRateLimitHeaders } from './rate-limit.ts';
import { errorResponse, type HttpResult } from './responses.ts';
import { routeByKey, routeKey } from './routes.ts';
import { parseInput, parseQueryString } from './validation.ts';

export type ApiEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

export interface OperationInput<B, Q> {
  event: ApiEvent;
  pathParameters: Record<string, string>;
  body: B;
  query: Q;
  /** The authenticated caller; throws `AuthenticationError` on a public route. */
  principal(): Principal;
  /** Names the caller a public route authenticated itself (the token endpoint's client), for the audit trail. */
  attribute(caller: Principal): void;
}

export interface Operation<B = unknown, Q = unknown> {
  body?: z.ZodType<B>;
  query?: z.ZodType<Q>;
  run(input: OperationInput<B, Q>): Promise<HttpResult>;
}

/** Declares an operation so TypeScript infers its body and query types from the schemas. */
export const operation = <B = undefined, Q = undefined>(op: Operation<B, Q>): Operation<B, Q> => op;

const JSON_CONTENT_TYPE = /^application\/(.+\+)?json($|;)/;

/**
 * Adds the Lambda context (request id, function name, cold start) to every log line. Powertools'
 * `injectLambdaContext` middleware does this too but also recomputes sampling and resets keys
 * on every call, which measured as a third of the local gateway's throughput; we append no
 * per-request keys, so there is nothing to reset.
 */
const lambdaContextKeys = (): middy.MiddlewareObj<ApiEvent, HttpResult> => ({
  before: ({ context, event }) => {
    logger.addContext(context);
    // The route and path only: bodies and headers carry secrets and tokens.
    logger.debug('request', { routeKey: event.routeKey, path: event.rawPath });
  },
});

/** Rejects bodies over the limit before parsing; API Gateway itself allows 10 MB. */
const bodyLimit = (): middy.MiddlewareObj<ApiEvent, HttpResult> => ({
  before: ({ event }) => {
    if (!event.body) return;
    const bytes = event.isBase64Encoded
      ? Buffer.byteLength(event.body, 'base64')
      : Buffer.byteLength(event.body);
    if (bytes > config.maxBodyBytes) throw new PayloadTooLarge(config.maxBodyBytes);
  },
});

/**
 * How deep a JSON body may nest. No schema goes past a few levels, and what reads a body before
 * its schema does (Powertools' idempotency hashes it, recursively) overflowed the stack on a
 * body thousands of levels deep, which answered 500.
 */
const MAX_BODY_DEPTH = 64;

/** Walks `value` without recursion (the point is not to overflow the stack). */
const nestsDeeperThan = (value: unknown, limit: number): boolean => {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== 'object' || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
};

/**
 * middy's JSON parser, with its errors turned into Connect's `InvalidJsonInput`. Requests
 * without a JSON content type pass through unparsed; operations that need a body reject them.
 */
const jsonBody = (): middy.MiddlewareObj<ApiEvent, HttpResult> => {
  const parser = httpJsonBodyParser({ disableContentTypeError: true });
  return {
    before: async (request) => {
      if (!request.event.body) return;
      try {
        // biome-ignore lint/suspicious/noExplicitAny: middy's parser is typed for its own event shape
        await parser.before?.(request as any);
      } catch (error) {
        const cause = (error as { cause?: { message?: string } }).cause;
        throw new InvalidJsonInput(cause?.message ?? 'The body is not valid JSON.');
      }
      if (nestsDeeperThan(request.event.body, MAX_BODY_DEPTH))
        throw new InvalidJsonInput(`The body nests deeper than ${MAX_BODY_DEPTH} levels.`);
    },
  };
};

/** A HEAD request gets the GET's status and headers, never a body. */
const headWithoutBody = (): middy.MiddlewareObj<ApiEvent, HttpResult> => ({
  after: (request) => {
    if (request.event.requestContext.http.method === 'HEAD' && request.response) delete request.response.body;
  },
});

/** Last line of defence: every error leaves in the dialect's envelope; internal faults are logged, not shown. */
const errorEnvelope = (): middy.MiddlewareObj<ApiEvent, HttpResult> => ({
  onError: (request) => {
    const { result, internal } = errorResponse(dialectForPath(request.event.rawPath ?? '/'), request.error);
    if (internal)
      logger.error('request failed', { routeKey: request.event.routeKey, error: request.error as Error });
    request.response = result;
  },
});

const readBody = <B>(op: Operation<B, unknown>, event: ApiEvent): B => {
  if (!op.body) return undefined as B;
  const contentType = event.headers['content-type'];
  if (typeof event.body === 'string' && event.body !== '' && !JSON_CONTENT_TYPE.test(contentType ?? '')) {
    throw new UnsupportedMediaType('application/json', contentType);
  }
  if (event.body === undefined || event.body === '')
    throw new InvalidJsonInput('The request body is missing.');
  return parseInput(op.body, event.body, 'body');
};

/**
 * The longest path parameter any resource can have: keys are at most 256 characters
 * (`key=<key>` 260), ids 36. Longer cannot name anything; refused before it reaches a table
 * key, which DynamoDB limits to 1,024 bytes (it would answer a 500 otherwise).
 */
const MAX_PATH_PARAMETER_BYTES = 512;

const assertPathParametersBounded = (parameters: Record<string, string>) => {
  for (const [name, value] of Object.entries(parameters))
    if (name !== 'proxy' && Buffer.byteLength(value) > MAX_PATH_PARAMETER_BYTES)
      throw new ResourceNotFound(`No resource has a ${name} that long.`);
};

const dispatch =
  // biome-ignore lint/suspicious/noExplicitAny: each operation keeps its own body and query types
    (operations: Record<string, Operation<any, any>>) =>
    async (event: ApiEvent, _context: Context): Promise<HttpResult> => {
      const route = routeByKey(event.routeKey);
      const op = route && operations[routeKey(route)];
      if (!route || !op) throw new Error(`No operation for route ${event.routeKey}`);
      const pathParameters = (event.pathParameters ?? {}) as Record<string, string>;
      assertPathParametersBounded(pathParameters);

      let principal: Principal | undefined;
      if (route.scopes !== null) {
        principal = principalFromContext(event.requestContext.authorizer?.lambda);
        if (pathParameters.store_hash !== undefined) authorizeStore(principal, pathParameters.store_hash);
        authorize(principal, route.scopes, pathParameters);
      }

      return op.run({
        event,
        pathParameters,
        body: readBody(op, event),
        query: op.query ? parseInput(op.query, parseQueryString(event.rawQueryString), 'query') : undefined,
        principal: () => {
          if (!principal) throw new AuthenticationError();
          return principal;
        },
        attribute: (caller) => attributeRequest(event, caller),
      });
    };

/** What the pipeline itself needs, from the function's composition root (`functions/wiring/`). */
export interface PipelineOptions {
  /**
   * Counts each authenticated request against its credential's and tenant's limits
   * (`rate-limit.ts`, `functions/wiring/rate-limits.ts`). Every function with a route that has
   * scopes passes it; one with public routes only needs none (nothing there is counted).
   */
  rateLimits?: RateLimitDeps;
  /**
   * Where each state-changing request is recorded (`audit-trail.ts`). Every function with a
   * POST, PUT, PATCH or DELETE route passes it; test/integration/audit.test.ts calls each such
   * route of the table and finds its entry.
   */
  audit?: AuditLog;
}

/**
 * The pipeline every API handler shares: the audit trail, Powertools context and request id, header
 * normalization, the error envelope, the caller's rate limits (counted before anything else is
 * done for the request, and told in the headers of every answer), the body limit, JSON
 * parsing, then authorization and validation against the route table before the operation runs.
 */
export const apiHandler = (
  // biome-ignore lint/suspicious/noExplicitAny: see dispatch
  operations: Record<string, Operation<any, any>>,
  /** Route-group specific middleware (idempotency), run after parsing and before the operation. */
  extra: middy.MiddlewareObj<ApiEvent, HttpResult>[] = [],
  options: PipelineOptions = {},
) => {
  const handler = middy<ApiEvent, HttpResult>(MIDDY_OPTIONS)
    // First, so it learns the caller before anything can refuse the request, and records the
    // answer after every other middleware made it final.
    .use(options.audit ? [auditTrail<ApiEvent>(options.audit)] : [])
    .use(lambdaContextKeys())
    .use(httpHeaderNormalizer())
    .use(headWithoutBody())
    .use(errorEnvelope())
    .use(options.rateLimits ? [rateLimited<ApiEvent>(options.rateLimits)] : [])
    .use(bodyLimit())
    .use(jsonBody())
    .use(extra)
    .handler(dispatch(operations));
  return options.rateLimits ? withRateLimitHeaders(handler) : handler;
};
