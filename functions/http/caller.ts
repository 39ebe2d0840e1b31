import type {
  APIGatewayRequestAuthorizerEventV2,
  APIGatewaySimpleAuthorizerWithContextResult,
} from 'aws-lambda';
import { type AuthenticationDeps, authenticate, type Credentials } from '../core/auth/access.ts';
import { AuthenticationError } from '../core/auth/errors.ts';
import { type AuthorizerContext, contextFromPrincipal } from './authorizer-context.ts';

/** What verifies tokens and finds store tokens: the auth wiring (`wiring/auth.ts`). */
export type CallerDeps = AuthenticationDeps;

/** The request's headers: all a caller resolver reads, so any payload 2.0 event will do. */
export type CallerRequest = Pick<APIGatewayRequestAuthorizerEventV2, 'headers'>;

const header = (event: CallerRequest, name: string): string | undefined => {
  const entry = Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
};

const credentialsOf = (event: CallerRequest): Credentials | { malformed: true } => {
  const authorization = header(event, 'authorization');
  const storeToken = header(event, 'x-auth-token');
  if (authorization !== undefined) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ? { bearer: match[1] } : { malformed: true };
  }
  return storeToken ? { storeToken } : {};
};

/**
 * Resolves who is calling, for the HTTP API's Lambda authorizer (payload 2.0, simple responses)
 * and for streaming handlers, which no authorizer stands in front of. It always lets the request
 * through with that answer in its context; handlers enforce 401/403 in their dialect's envelope
 * (see `authorizer-context.ts` for why).
 */
export const callerResolver =
  (deps: CallerDeps) =>
  async (event: CallerRequest): Promise<APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>> => {
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
