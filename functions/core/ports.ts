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

export type UploadStatus = 'pending' | 'uploaded' | 'consumed' | 'expired';

/** A single-use, expiring slot for one artifact, written straight to object storage. */
export interface Upload {
  id: string;
  tenant: string;
  projectKey: string;
  projectId: string;
  /** Chosen by the server, never by the client. */
  objectKey: string;
  status: UploadStatus;
  contentType: string;
  /** What the client declared (signed into the URL when given). */
  declaredSize?: number;
  sha256?: string;
  maxSize: number;
  expiresAt: string;
  createdAt: string;
  /** What storage reported once the object arrived. */
  size?: number;
  etag?: string;
  uploadedAt?: string;
  /** Who used it (`deployment:<id>`, `connector:<id>`), once consumed. */
  consumedBy?: string;
  version: number;
}

export interface UploadRepository {
  create(upload: Upload): Promise<void>;
  get(id: string): Promise<Upload | undefined>;
  /**
   * Records that the object arrived (or was replaced before the URL expired). Returns the
   * updated upload, or undefined when there is no such upload or it was already consumed.
   */
  markUploaded(
    id: string,
    object: { key: string; size: number; etag: string; at: string },
  ): Promise<Upload | undefined>;
  /**
   * Marks an uploaded upload consumed by `consumer`, once: returns false when it is no longer
   * `uploaded` (another consumer won the race).
   */
  markConsumed(id: string, consumer: string, at: string): Promise<boolean>;
}

export interface StoredObject {
  size: number;
  contentType?: string;
  /** The SHA-256 storage verified and kept, when it did (base64). */
  sha256?: string;
}

export interface PresignedUpload {
  url: string;
  /** Exactly the headers the client must send with the PUT. */
  headers: Record<string, string>;
}

export interface ArtifactStore {
  presignUpload(input: {
    objectKey: string;
    contentType: string;
    size?: number;
    sha256?: string;
    expiresInSeconds: number;
    signingDate: Date;
  }): Promise<PresignedUpload>;
  /** The stored object's size and type, or undefined when it is missing. */
  describe(objectKey: string): Promise<StoredObject | undefined>;
  /** Reads the whole object and returns its SHA-256 (base64). */
  computeSha256(objectKey: string): Promise<string>;
}

export interface Clock {
  now(): Date;
}

export type { Principal };
