/**
 * Token revocation (RFC 7009) and introspection (RFC 7662). Both take the token as the caller
 * sent it, and neither tells a caller anything about a token of another tenant.
 */
import { sha256Hex } from '../shared/ids.ts';
import { type AuthenticationDeps, verifyBearer } from './access.ts';
import { AuthenticationError, UnauthorizedClient } from './errors.ts';
import type { ApiClient, VerifiedToken } from './ports.ts';
import { ADMIN_SCOPE, firstScopeBeyond } from './scopes.ts';

const verifiedOrUndefined = async (
  deps: AuthenticationDeps,
  token: string,
): Promise<VerifiedToken | undefined> => {
  try {
    return await verifyBearer(deps, token);
  } catch (error) {
    if (error instanceof AuthenticationError) return undefined;
    throw error;
  }
};

/**
 * RFC 7009 §2.1: a client revokes the tokens it was issued (an admin client, any of its tenant's).
 * A token that is invalid, expired or already revoked needs nothing done, and answers as a
 * success (§2.2); a live token of another client is refused.
 */
export const revokeToken = async (
  deps: AuthenticationDeps,
  caller: ApiClient,
  token: string,
): Promise<void> => {
  const verified = await verifiedOrUndefined(deps, token);
  if (!verified) return revokeStoreToken(deps, caller, token);
  const mayRevoke =
    verified.clientId === caller.clientId ||
    (verified.tenant === caller.tenant && caller.scopes.includes(ADMIN_SCOPE));
  if (!mayRevoke) throw new UnauthorizedClient('The token was not issued to this client.');
  await deps.credentials.revokeToken(verified.tokenId, verified.expiresAt);
};

/**
 * A store token (`X-Auth-Token`) presented for revocation is revoked too, by a client of its
 * store that holds every scope it has (the ceiling `DELETE …/access-tokens/{id}` applies).
 */
const revokeStoreToken = async (
  deps: AuthenticationDeps,
  caller: ApiClient,
  token: string,
): Promise<void> => {
  const store = await deps.credentials.getStoreTokenByHash(sha256Hex(token));
  if (!store) return;
  if (store.tenant !== caller.tenant || firstScopeBeyond(caller.scopes, store.scopes) !== undefined)
    throw new UnauthorizedClient('This client may not revoke that token.');
  await deps.credentials.deleteStoreToken(store);
};

export type Introspection =
  | { active: false }
  | {
      active: true;
      scope: string;
      token_type: 'Bearer' | 'X-Auth-Token';
      /** The client the token was issued to; for a store token, the token's own id. */
      client_id?: string;
      sub: string;
      exp?: number;
      iat?: number;
      jti?: string;
      iss?: string;
      aud?: string;
      /** Slipway's: the tenant (a store hash in the BigCommerce dialect). */
      tenant: string;
    };

const seconds = (date: Date) => Math.floor(date.getTime() / 1000);

/** RFC 7662 §2.2: what a live token of the caller's tenant is; anything else is `active: false`. */
export const introspectToken = async (
  deps: AuthenticationDeps,
  callerTenant: string,
  token: string,
): Promise<Introspection> => {
  const verified = await verifiedOrUndefined(deps, token);
  if (verified)
    return verified.tenant !== callerTenant
      ? { active: false }
      : {
          active: true,
          scope: verified.scopes.join(' '),
          token_type: 'Bearer',
          client_id: verified.clientId,
          sub: verified.clientId,
          exp: seconds(verified.expiresAt),
          iat: seconds(verified.issuedAt),
          jti: verified.tokenId,
          iss: 'slipway',
          aud: 'slipway-api',
          tenant: verified.tenant,
        };
  const store = await deps.credentials.getStoreTokenByHash(sha256Hex(token));
  if (!store || store.tenant !== callerTenant) return { active: false };
  return {
    active: true,
    scope: store.scopes.join(' '),
    token_type: 'X-Auth-Token',
    sub: store.id,
    iat: seconds(new Date(store.createdAt)),
    tenant: store.tenant,
  };
};
