import { ResourceNotFound } from '../shared/errors.ts';
import { sha256Hex } from '../shared/ids.ts';
import { AuthenticationError, AuthorizationError, InvalidClient, InvalidScope } from './errors.ts';
import type { AccessTokenService, CredentialRepository, SecretHasher } from './ports.ts';
import type { Principal } from './principal.ts';
import { expandScopes, hasAnyScope, scopeImplies } from './scopes.ts';

export interface TokenIssueDeps {
  credentials: CredentialRepository;
  hasher: SecretHasher;
  tokens: AccessTokenService;
  ttlSeconds: number;
}

export interface IssuedToken {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

/**
 * OAuth2 client credentials grant. `requestedScope` (space separated) narrows the token;
 * every requested scope must be implied by one the client holds.
 */
export const issueAccessToken = async (
  deps: TokenIssueDeps,
  input: { clientId: string; clientSecret: string; requestedScope?: string },
): Promise<IssuedToken> => {
  const client = await deps.credentials.getClient(input.clientId);
  // Verify against a dummy hash when the client is unknown so both paths take the same time.
  const valid = await deps.hasher.verify(input.clientSecret, client?.secretHash ?? DUMMY_HASH);
  if (!client || !valid) throw new InvalidClient();

  const requested = input.requestedScope?.split(/\s+/).filter(Boolean) ?? [];
  for (const scope of requested) {
    if (!client.scopes.some((granted) => scopeImplies(granted, scope))) throw new InvalidScope(scope);
  }
  const scopes = requested.length > 0 ? requested : client.scopes;
  const accessToken = await deps.tokens.sign(
    { clientId: client.clientId, tenant: client.tenant, scopes },
    deps.ttlSeconds,
  );
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: deps.ttlSeconds,
    scope: scopes.join(' '),
  };
};

/** A valid scrypt hash of a random value, used to equalize timing for unknown clients. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export type Credentials = { bearer?: string; storeToken?: string };

/**
 * Resolves the caller from whichever credential it sent. A bearer token wins over
 * `X-Auth-Token` when both are present. Throws `AuthenticationError` when none is valid.
 */
export const authenticate = async (
  deps: { credentials: CredentialRepository; tokens: AccessTokenService },
  credentials: Credentials,
): Promise<Principal> => {
  if (credentials.bearer !== undefined) {
    const claims = await deps.tokens.verify(credentials.bearer);
    return { kind: 'client', subject: claims.clientId, tenant: claims.tenant, scopes: claims.scopes };
  }
  if (credentials.storeToken !== undefined) {
    const token = await deps.credentials.getStoreTokenByHash(sha256Hex(credentials.storeToken));
    if (!token) throw new AuthenticationError('Invalid X-Auth-Token.');
    return { kind: 'store-token', subject: token.id, tenant: token.tenant, scopes: token.scopes };
  }
  throw new AuthenticationError();
};

/** Throws `AuthorizationError` unless the principal holds one of the route's scopes. */
export const authorize = (
  principal: Principal,
  scopeTemplates: readonly string[],
  pathParameters: Record<string, string | undefined>,
): void => {
  if (scopeTemplates.length === 0) return;
  const required = expandScopes(scopeTemplates, pathParameters);
  if (!hasAnyScope(principal.scopes, required)) throw new AuthorizationError(required);
};

/**
 * A path under `/stores/{store_hash}` belongs to the store whose hash the caller's tenant is.
 * Another store's paths answer 404, as if they did not exist, before any scope is checked.
 */
export const authorizeStore = (principal: Principal, storeHash: string): void => {
  if (principal.tenant !== storeHash) throw new ResourceNotFound(`The store '${storeHash}' was not found.`);
};
