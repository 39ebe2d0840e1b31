import type middy from '@middy/core';
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, Context } from 'aws-lambda';
import { TooManyRequests } from '../core/limits/errors.ts';
import {
  checkRateLimit,
  type RateCaller,
  type RateDecision,
  type RateLimitDeps,
  rateLimitHeaders,
} from '../core/limits/rate-limits.ts';
import type { AuthorizerContext } from './authorizer-context.ts';
import type { HttpResult } from './responses.ts';
import { routeByKey } from './routes.ts';

/**
 * The rate limits in the request pipeline (`apiHandler`'s `rateLimits` option). The rule is the
 * core's (`functions/core/limits/rate-limits.ts`), the counter the function's composition root
 * gives (`functions/wiring/rate-limits.ts`: DynamoDB, on AWS and under `npm start` alike).
 *
 * Who is counted: a request to a route with scopes carrying a valid credential, once the caller
 * is resolved and before anything else is done for it (its scopes, its body, the operation).
 * Public routes (`scopes: null`: health, the token endpoint, the OpenAPI document, projects'
 * websites) and requests without a valid credential (401) are not: they have no credential or
 * tenant to count against; API Gateway's stage throttling covers them on AWS.
 */

type Event = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;

/** The credential to count, when the route is not public and the request carries a valid one. */
const callerOf = (event: Event): RateCaller | undefined => {
  if (routeByKey(event.routeKey)?.scopes == null) return undefined;
  const context = event.requestContext.authorizer?.lambda;
  if (context?.authenticated !== 'true') return undefined;
  return { tenant: context.tenant, kind: context.kind, subject: context.subject };
};

/** Each counted request's decision, for the headers of whatever answer it gets. */
const decisions = new WeakMap<object, RateDecision>();

/**
 * Counts the request, and refuses it past a limit: placed after the error envelope, so a
 * refusal is a 429 in the dialect's envelope (`Retry-After` comes with the error, see
 * `responses.ts`).
 */
export const rateLimited = <E extends Event>(deps: RateLimitDeps): middy.MiddlewareObj<E, HttpResult> => ({
  before: async ({ event }) => {
    const caller = callerOf(event);
    if (!caller) return;
    const decision = await checkRateLimit(deps, caller);
    decisions.set(event, decision);
    if (!decision.allowed) throw new TooManyRequests(decision);
  },
});

/**
 * Wraps a whole handler so that every answer to a counted request carries the `RateLimit-*`
 * fields: successes, errors, and idempotent replays (which end middy's chain before its
 * `after` steps, so no middleware could add them there).
 */
export const withRateLimitHeaders =
  <E extends Event>(handler: (event: E, context: Context) => Promise<HttpResult>) =>
  async (event: E, context: Context): Promise<HttpResult> => {
    const result = await handler(event, context);
    const decision = decisions.get(event);
    if (decision && result) result.headers = { ...result.headers, ...rateLimitHeaders(decision) };
    return result;
  };
