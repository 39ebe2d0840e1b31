import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import type { AuthorizerContext } from '../http/authorizer-context.ts';
import { callerResolver } from '../http/caller.ts';
import { logger } from '../http/logger.ts';
import { MIDDY_OPTIONS } from '../http/middy-options.ts';
import { authDeps } from '../wiring/auth.ts';

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses): it resolves who is calling and
 * always lets the request through with that answer in its context (see `http/caller.ts`).
 */
export const handler = middy<
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>
>(MIDDY_OPTIONS)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(callerResolver(authDeps));
