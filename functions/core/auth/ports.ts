/** Credentials and tokens: what the auth use cases need from storage and crypto. */
import type { Page, PageRequest } from '../shared/listing.ts';

export interface ApiClient {
  clientId: string;
  tenant: string;
  name: string;
  scopes: string[];
  /** A slow-KDF hash of the secret; the secret itself is never stored. */
  secretHash: string;
  createdAt: string;
  /** The lifetime of the tokens it obtains, when it differs from the service's default. */
  accessTokenValiditySeconds?: number;
  /** When it stops working and is removed (commercetools' `deleteDaysAfterCreation`). */
  deleteAt?: string;
  /** The day (YYYY-MM-DD) it last obtained a token, as commercetools reports it. */
  lastUsedAt?: string;
}

export interface StoreToken {
  id: string;
  /** The store hash the token is bound to; equal to the tenant. */
  tenant: string;
  name: string;
  scopes: string[];
  /** SHA-256 of the token (the token is 256 random bits, so a fast hash is enough to make a leak useless). */
  tokenHash: string;
  createdAt: string;
}

/**
 * Reads are strongly consistent: a deleted client or a revoked token is refused by the next
 * request on any function, and nothing holds credentials in memory between requests.
 */
export interface CredentialRepository {
  putClient(client: ApiClient): Promise<void>;
  getClient(clientId: string): Promise<ApiClient | undefined>;
  /** A tenant's clients, oldest first. */
  listClients(tenant: string, page: PageRequest): Promise<Page<ApiClient>>;
  /** Removes a client of the tenant; false when the tenant has no such client. */
  deleteClient(tenant: string, clientId: string): Promise<boolean>;
  /** Replaces the secret hash of an existing client; returns false when the client does not exist. */
  setClientSecretHash(clientId: string, secretHash: string): Promise<boolean>;
  /** Records the day a client last obtained a token. */
  markClientUsed(clientId: string, day: string): Promise<void>;
  /** What a bearer token's standing depends on: its client, and whether the token was revoked. */
  tokenStanding(clientId: string, tokenId: string): Promise<{ client?: ApiClient; revoked: boolean }>;
  /** Refuses the token from now until it expires (when the record can go). */
  revokeToken(tokenId: string, expiresAt: Date): Promise<void>;
  putStoreToken(token: StoreToken): Promise<void>;
  getStoreTokenByHash(tokenHash: string): Promise<StoreToken | undefined>;
  /** A store's tokens, oldest first (never more than a few hundred: one page). */
  listStoreTokens(tenant: string): Promise<StoreToken[]>;
  /** Removes a token (found by its hash, so older tokens missing from the listing too); false when gone already. */
  deleteStoreToken(token: StoreToken): Promise<boolean>;
}

export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(secret: string, hash: string): Promise<boolean>;
}

export interface AccessTokenClaims {
  clientId: string;
  tenant: string;
  scopes: string[];
}

/** A verified token's claims, with what identifies and bounds it. */
export interface VerifiedToken extends AccessTokenClaims {
  /** The token's own id (`jti`): what revocation records. */
  tokenId: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface AccessTokenService {
  sign(claims: AccessTokenClaims, ttlSeconds: number): Promise<string>;
  /** Returns the claims or throws `AuthenticationError` (bad signature, wrong algorithm, expired…). */
  verify(token: string): Promise<VerifiedToken>;
}
