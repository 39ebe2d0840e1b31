/** What the deployment use cases and workflow steps need from storage, events and crypto. */
import type { TenantQuotas } from '../limits/quotas.ts';
import type { Page, PageRequest, SortKey } from '../shared/listing.ts';
import type { Deployment, DeploymentEvent, DeploymentLog, DeploymentRevision, ProjectLock } from './model.ts';

/** The project's lock is held by another operation (the repository's answer, not a client error). */
export class ProjectLockHeld extends Error {
  override readonly name = 'ProjectLockHeld';
  constructor(readonly lock: ProjectLock) {
    super(`The project is locked by deployment ${lock.deploymentId} (${lock.operation})`);
  }
}

export interface DeploymentListRequest extends PageRequest {
  sort?: SortKey[];
  integrationTypes?: string[];
  deploymentType?: string;
}

/**
 * A change to the project's lock made in the same transaction as a deployment write. A
 * release releases the lock if the operation still holds it; when another operation took it
 * over (the lease ran out), the deployment write still goes through. A deploy that acquires
 * it with `quotas` claims its place among the tenant's builds and hosted apps in the same
 * transaction (`MaxResourceLimitExceeded` when one is full); every release gives them back.
 */
export type LockChange =
  | { acquire: ProjectLock; now: string; quotas?: TenantQuotas }
  | { release: ProjectLock };

export interface DeploymentRepository {
  /**
   * Writes a new deployment with its key, takes the project's lock and counts it, in one
   * transaction, within the tenant's `quotas` when given. Throws `DuplicateField` (key),
   * `ProjectLockHeld` or `MaxResourceLimitExceeded`.
   */
  create(deployment: Deployment, lock: ProjectLock, now: string, quotas?: TenantQuotas): Promise<void>;
  get(projectId: string, id: string): Promise<Deployment | undefined>;
  /** By its id alone, in any project (the BigCommerce dialect addresses deployments by uuid). */
  getById(id: string): Promise<Deployment | undefined>;
  resolveKey(projectId: string, key: string): Promise<string | undefined>;
  list(projectId: string, request: DeploymentListRequest): Promise<Page<Deployment>>;
  /**
   * Replaces the deployment if it is still at `expectedVersion`, taking or releasing the
   * project's lock in the same transaction. Throws `ConcurrentModification`,
   * `ResourceNotFound`, `ProjectLockHeld` or `MaxResourceLimitExceeded`.
   */
  update(deployment: Deployment, expectedVersion: number, lock?: LockChange): Promise<void>;
  /** Removes an undeployed deployment, its key and its count, and releases the lock (if held), together. */
  remove(deployment: Deployment, expectedVersion: number, release: ProjectLock): Promise<void>;
  getLock(projectId: string): Promise<ProjectLock | undefined>;
  /** Every project's lock (the operations in progress server-wide), for the reaper. */
  listLocks(): Promise<ProjectLock[]>;
  /** Releases a lock whose deployment no longer runs its operation (the reaper's clean-up). */
  releaseLock(lock: ProjectLock): Promise<void>;
  /** The deployment a project's address serves (`ProjectSite`), if any. */
  getSite(projectId: string): Promise<ProjectSite | undefined>;
  setSite(projectId: string, site: ProjectSite): Promise<void>;
}

/**
 * What a project's one address (`/sites/<project id>/`) serves: the newest deployment that
 * was deployed there, and the one it replaced (kept so a retried replacement still stops it).
 */
export interface ProjectSite {
  deploymentId: string;
  replaces?: string;
}

/** A deployment's progress trail, oldest first; kept as long as its logs. */
export interface DeploymentEventRepository {
  append(event: DeploymentEvent): Promise<void>;
  list(deploymentId: string): Promise<DeploymentEvent[]>;
}

/**
 * What a secret is bound to: a ciphertext decrypts only for the same tenant, project and
 * deployment (on AWS, IAM can then limit who may decrypt by tenant and deployment).
 */
export interface EncryptionContext {
  tenant: string;
  projectId: string;
  deploymentId: string;
}

/**
 * Encrypts secured configuration values before they are stored. Values of one call share
 * one data key (one KMS request on AWS); the context is authenticated, not stored in clear.
 */
export interface SecretCipher {
  encrypt(plaintexts: string[], context: EncryptionContext): Promise<string[]>;
  decrypt(ciphertexts: string[], context: EncryptionContext): Promise<string[]>;
}

export interface LogPageRequest {
  from: string;
  to: string;
  applicationName?: string;
  limit: number;
  pageToken?: string;
}

/** Deployment logs, oldest first; `next` is opaque and only valid for the same deployment. */
export interface DeploymentLogRepository {
  append(entries: DeploymentLog[]): Promise<void>;
  /** Throws `DeploymentLogInvalidPageToken` for a token that is not this listing's. */
  page(deploymentId: string, request: LogPageRequest): Promise<{ data: DeploymentLog[]; next?: string }>;
}

/** A deployment's revisions (`revisions.ts`), and the marks build retention works from. */
export interface DeploymentRevisionRepository {
  /** Records a revision; recording the same one again (a retried step) changes nothing. */
  put(revision: DeploymentRevision): Promise<void>;
  get(deploymentId: string, revision: number): Promise<DeploymentRevision | undefined>;
  /** Newest first. */
  page(deploymentId: string, page: { limit: number; offset: number }): Promise<Page<DeploymentRevision>>;
  /** Every revision of a deployment, newest first (retention walks them). */
  all(deploymentId: string): Promise<DeploymentRevision[]>;
  /** Marks the revisions whose build `buildId` made as no longer kept. */
  markBuildDiscarded(deploymentId: string, buildId: string): Promise<void>;
  /** A deployment whose kept builds retention should look at (`retention.ts`). */
  markRetentionDue(projectId: string, deploymentId: string): Promise<void>;
  /** The deployments marked due, oldest mark first, and the mark's removal once handled. */
  listRetentionDue(limit: number): Promise<{ projectId: string; deploymentId: string }[]>;
  clearRetentionDue(deploymentId: string): Promise<void>;
  /** Every revision of an undeployed deployment. */
  removeAll(deploymentId: string): Promise<void>;
}
