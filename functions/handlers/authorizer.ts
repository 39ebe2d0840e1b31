import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { authDeps as deps } from '../adapters/auth-deps.ts';
import { authenticate, type Credentials } from '../core/auth.ts';
import { AuthenticationError } from '../core/errors.ts';
import { type AuthorizerContext, contextFromPrincipal } from '../http/authorizer-context.ts';
import { logger } from '../http/logger.ts';
import { MIDDY_OPTIONS } from '../http/middy-options.ts';

const header = (event: APIGatewayRequestAuthorizerEventV2, name: string): string | undefined => {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
};

const credentialsOf = (event: APIGatewayRequestAuthorizerEventV2): Credentials | { malformed: true } => {
  const authorization = header(event, 'authorization');
  const storeToken = header(event, 'x-auth-token');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ? { bearer: match[1] } : { malformed: true };
  }
  return storeToken ? { storeToken } : {};
};

/**
 * HTTP API Lambda authorizer (payload 2.0, simple responses). It resolves who is calling
 * and always lets the request through with that answer in its context; handlers enforce
 * 401/403 in their dialect's envelope (see `http/authorizer-context.ts` for why).
 */
export const resolveCaller = async (
  event: APIGatewayRequestAuthorizerEventV2,
): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
  const credentials = credentialsOf(event);
  if ('malformed' in credentials) {
    return {
      isAuthorized: true,
      context: { authenticated: 'false', reason: 'The Authorization header must be "Bearer <token>".' },
    };
  }
  try {
    return { isAuthorized: true, context: contextFromPrincipal(await authenticate(deps, credentials)) };
  } catch (error) {
    if (error instanceof AuthenticationError) {
      return { isAuthorized: true, context: { authenticated: 'false', reason: error.message } };
    }
    throw error;
  }
};

export const handler = middy<
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>
>(MIDDY_OPTIONS)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(resolveCaller);
