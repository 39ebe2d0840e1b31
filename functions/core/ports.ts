/**
 * Interfaces the use cases depend on. Adapters implement them (DynamoDB, jose, scrypt…);
 * the domain never imports an SDK.
 */
import type { Principal } from './principal.ts';

export interface Project {
  id: string;
  key: string;
  name: string;
  tenant: string;
  version: number;
  createdAt: string;
  lastModifiedAt: string;
}

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

export interface PageRequest {
  limit: number;
  offset: number;
  /** Opaque cursor from a previous page; when given, `offset` is ignored. */
  cursor?: string;
}

export interface Page<T> {
  results: T[];
  /** Total matching items (not computed for cursor pages). */
  total?: number;
  nextCursor?: string;
}

export interface ProjectRepository {
  /** Creates the project; throws `DuplicateField` when the tenant already has the key. */
  create(project: Project): Promise<void>;
  get(tenant: string, key: string): Promise<Project | undefined>;
  list(tenant: string, page: PageRequest): Promise<Page<Project>>;
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

export interface Clock {
  now(): Date;
}

export type { Principal };
