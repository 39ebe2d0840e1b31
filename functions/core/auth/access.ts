import type { Clock } from '../shared/clock.ts';
import { ResourceNotFound } from '../shared/errors.ts';
import { sha256Hex } from '../shared/ids.ts';
import { isClientLive } from './clients.ts';
import { AuthenticationError, AuthorizationError, InvalidClient, InvalidScope } from './errors.ts';
import type {
  AccessTokenService,
  ApiClient,
  CredentialRepository,
  SecretHasher,
  VerifiedToken,
} from './ports.ts';
import type { Principal } from './principal.ts';
import { expandScopes, hasAnyScope, scopeImplies } from './scopes.ts';

export interface TokenIssueDeps {
  credentials: CredentialRepository;
  hasher: SecretHasher;
  tokens: AccessTokenService;
  clock: Clock;
  /** The service's default token lifetime; a client may ask for its own. */
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
  /** Told who the caller is once its credentials verify (the audit trail names it). */
  onVerified: (client: ApiClient) => void = () => undefined,
): Promise<IssuedToken> => {
  const client = await verifyClient(deps, input);
  onVerified(client);

  const requested = input.requestedScope?.split(/\s+/).filter(Boolean) ?? [];
  for (const scope of requested) {
    if (!client.scopes.some((granted) => scopeImplies(granted, scope))) throw new InvalidScope(scope);
  }
  const scopes = requested.length > 0 ? requested : client.scopes;
  const ttlSeconds = client.accessTokenValiditySeconds ?? deps.ttlSeconds;
  const accessToken = await deps.tokens.sign(
    { clientId: client.clientId, tenant: client.tenant, scopes },
    ttlSeconds,
  );
  const today = deps.clock.now().toISOString().slice(0, 10);
  if (client.lastUsedAt !== today) await deps.credentials.markClientUsed(client.clientId, today);
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: ttlSeconds,
    scope: scopes.join(' '),
  };
};

/**
 * The client whose id and secret these are, or `InvalidClient`. An unknown client is checked
 * against a dummy hash so both paths take the same time; a deleted one is unknown.
 */
export const verifyClient = async (
  deps: Pick<TokenIssueDeps, 'credentials' | 'hasher' | 'clock'>,
  input: { clientId: string; clientSecret: string },
): Promise<ApiClient> => {
  // No client id is that long; a longer one would not even make a table key (DynamoDB's limit).
  if (input.clientId.length > MAX_CLIENT_ID_LENGTH) {
    await deps.hasher.verify(input.clientSecret, DUMMY_HASH);
    throw new InvalidClient();
  }
  const found = await deps.credentials.getClient(input.clientId);
  const client = isClientLive(found, deps.clock.now()) ? found : undefined;
  const valid = await deps.hasher.verify(input.clientSecret, client?.secretHash ?? DUMMY_HASH);
  if (!client || !valid) throw new InvalidClient();
  return client;
};

const MAX_CLIENT_ID_LENGTH = 256;

/** A valid scrypt hash of a random value, used to equalize timing for unknown clients. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

export type Credentials = { bearer?: string; storeToken?: string };

/**
 * Resolves the caller from whichever credential it sent. A bearer token wins over
 * `X-Auth-Token` when both are present. Throws `AuthenticationError` when none is valid.
 */
export const authenticate = async (
  deps: AuthenticationDeps,
  credentials: Credentials,
): Promise<Principal> => {
  if (credentials.bearer !== undefined) {
    const token = await verifyBearer(deps, credentials.bearer);
    return { kind: 'client', subject: token.clientId, tenant: token.tenant, scopes: token.scopes };
  }
  if (credentials.storeToken !== undefined) {
    const token = await deps.credentials.getStoreTokenByHash(sha256Hex(credentials.storeToken));
    if (!token) throw new AuthenticationError('Invalid X-Auth-Token.');
    return { kind: 'store-token', subject: token.id, tenant: token.tenant, scopes: token.scopes };
  }
  throw new AuthenticationError();
};

export interface AuthenticationDeps {
  credentials: CredentialRepository;
  tokens: AccessTokenService;
  clock: Clock;
}

/**
 * A bearer token holds only while it verifies, its client still exists (in the same tenant) and
 * it was not revoked. Both are read on every request, strongly consistent, never cached: a
 * deleted client or a revoked token fails on the very next request, on every function.
 */
export const verifyBearer = async (deps: AuthenticationDeps, bearer: string): Promise<VerifiedToken> => {
  const token = await deps.tokens.verify(bearer);
  const { client, revoked } = await deps.credentials.tokenStanding(token.clientId, token.tokenId);
  if (revoked) throw new AuthenticationError('The access token has been revoked.');
  if (!isClientLive(client, deps.clock.now()) || client.tenant !== token.tenant)
    throw new AuthenticationError('The access token was issued to a client that no longer exists.');
  return token;
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
