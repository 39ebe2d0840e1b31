/** Credentials and tokens: what the auth use cases need from storage and crypto. */
export interface ApiClient {
  clientId: string;
  tenant: string;
  name: string;
  scopes: string[];
  /** A slow-KDF hash of the secret; the secret itself is never stored. */
  secretHash: string;
  createdAt: string;
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

export interface CredentialRepository {
  putClient(client: ApiClient): Promise<void>;
  getClient(clientId: string): Promise<ApiClient | undefined>;
  /** Replaces the secret hash of an existing client; returns false when the client does not exist. */
  setClientSecretHash(clientId: string, secretHash: string): Promise<boolean>;
  putStoreToken(token: StoreToken): Promise<void>;
  getStoreTokenByHash(tokenHash: string): Promise<StoreToken | undefined>;
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

export interface AccessTokenService {
  sign(claims: AccessTokenClaims, ttlSeconds: number): Promise<string>;
  /** Returns the claims or throws `AuthenticationError` (bad signature, wrong algorithm, expired…). */
  verify(token: string): Promise<AccessTokenClaims>;
}
