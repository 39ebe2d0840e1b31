import { AuthenticationError } from '../core/auth/errors.ts';
import type { Principal } from '../core/auth/principal.ts';

/**
 * What the Lambda authorizer hands to handlers through API Gateway. Values are strings
 * (API Gateway's authorizer context is a flat map). The authorizer resolves identity and
 * never denies by itself: a request without a valid credential reaches the handler with
 * `authenticated: 'false'`, and the handler answers 401 in its dialect's envelope. A deny
 * from API Gateway would come back as `{"message":"Forbidden"}`, which neither dialect
 * speaks. Scopes are checked in the handler against the route table for the same reason.
 */
export type AuthorizerContext =
  | { authenticated: 'true'; kind: Principal['kind']; subject: string; tenant: string; scopes: string }
  | { authenticated: 'false'; reason: string };

export const contextFromPrincipal = (p: Principal): AuthorizerContext => ({
  authenticated: 'true',
  kind: p.kind,
  subject: p.subject,
  tenant: p.tenant,
  scopes: p.scopes.join(' '),
});

export const principalFromContext = (context: AuthorizerContext | undefined): Principal => {
  if (context?.authenticated !== 'true') throw new AuthenticationError(context?.reason);
  return {
    kind: context.kind,
    subject: context.subject,
    tenant: context.tenant,
    scopes: context.scopes.split(' ').filter(Boolean),
  };
};
