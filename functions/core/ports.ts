/**
 * Interfaces the use cases depend on. Adapters implement them (DynamoDB, jose, scrypt…);
 * the domain never imports an SDK.
 */
import type { ArtifactListing } from './artifacts.ts';
import type { Connector, ConnectorStaged } from './connector-model.ts';
import type { Deployment, DeploymentEvent, DeploymentLog, ProjectLock } from './deployment-model.ts';
import type { Principal } from './principal.ts';
import type { SortKey } from './schemas.ts';

export interface Project {
  id: string;
  key: string;
  name: string;
  tenant: string;
  version: number;
  /** Deployments' default for `strictScripts` (Slipway). */
  strictScripts?: boolean;
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
  /** By its uuid, in any tenant (the caller checks the tenant). */
  getById(id: string): Promise<Project | undefined>;
  list(tenant: string, page: PageRequest): Promise<Page<Project>>;
  /** Removes the project (its key is free again); false when it was already gone. */
  delete(project: Project): Promise<boolean>;
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
  markConsumed(id: string, consumer: string, at: string, acceptPending?: boolean): Promise<boolean>;
  /** Undoes `markConsumed` when the consumer could not be created; only that consumer can. */
  releaseConsumption(id: string, consumer: string): Promise<void>;
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
  /** A server-side copy, so an artifact outlives the upload slot it arrived in. */
  copy(fromKey: string, toKey: string): Promise<void>;
  /**
   * Streams the object into a temporary file, runs `use` on its path and removes the file;
   * undefined when there is no such object.
   */
  withLocalCopy<T>(objectKey: string, use: (path: string) => Promise<T>): Promise<T | undefined>;
  /** A small text object (at most `maxBytes`), or undefined when there is none. */
  readText(objectKey: string, maxBytes: number): Promise<string | undefined>;
}

/** Reads zip files on the local disk (the workflow downloads artifacts before reading them). */
export interface ZipReader {
  list(path: string): Promise<ArtifactListing>;
  /** One entry's content as UTF-8; refuses entries larger than `maxBytes`. */
  readText(path: string, entryName: string, maxBytes: number): Promise<string>;
  /**
   * Extracts the entries under `prefix` (a folder ending in `/`) into `dest`, without the
   * prefix; returns how many files it wrote. Sizes are checked against the real streams.
   */
  extract(path: string, prefix: string, dest: string): Promise<number>;
}

export interface ConnectorRepository {
  /** Creates the draft and reserves its key server-wide; `DuplicateField` when the key is taken. */
  createDraft(draft: ConnectorStaged): Promise<void>;
  getDraft(tenant: string, id: string): Promise<ConnectorStaged | undefined>;
  /** Who holds a connector key (drafts and published connectors share one key space). */
  resolveKey(key: string): Promise<{ tenant: string; id: string } | undefined>;
  /** Every draft of the tenant (a tenant has few; listings sort and page them in memory). */
  listDrafts(tenant: string): Promise<ConnectorStaged[]>;
  /**
   * Replaces the draft if its stored version is still `expectedVersion`; throws
   * `ConcurrentModification` (with the current version) or `ResourceNotFound`.
   */
  putDraft(draft: ConnectorStaged, expectedVersion: number): Promise<void>;
  /** `putDraft` and a new immutable Connector version, in one transaction. */
  publish(draft: ConnectorStaged, expectedVersion: number, connector: Connector): Promise<void>;
  /** Deletes the draft at `expectedVersion`; its key is released unless a published connector keeps it. */
  deleteDraft(draft: ConnectorStaged, expectedVersion: number): Promise<void>;
  /** The newest published version, or a given one. */
  getConnector(id: string, version?: number): Promise<Connector | undefined>;
  /** The newest version of every connector the tenant may see: its own and the certified ones. */
  listVisibleConnectors(tenant: string): Promise<Connector[]>;
}

export type Workflow = 'publish-connector' | 'deploy' | 'undeploy';

export type ExecutionState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

/** Starts Step Functions executions; a name already used by a running execution is not started twice. */
export interface WorkflowStarter {
  start(workflow: Workflow, name: string, input: unknown): Promise<void>;
}

/** Starting, and also stopping and looking at, executions by name (cancel and the reaper). */
export interface Workflows extends WorkflowStarter {
  /** Stops a running execution; one that is gone or finished is left as it is. */
  stop(workflow: Workflow, name: string, cause: string): Promise<void>;
  /** `MISSING` when no execution has the name (never started, or lost with a local restart). */
  state(workflow: Workflow, name: string): Promise<ExecutionState>;
}

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

/** A change to the project's lock made in the same transaction as a deployment write. */
/**
 * A change to the project's lock made in the same transaction as a deployment write. A
 * release releases the lock if the operation still holds it; when another operation took it
 * over (the lease ran out), the deployment write still goes through.
 */
export type LockChange = { acquire: ProjectLock; now: string } | { release: ProjectLock };

export interface DeploymentRepository {
  /**
   * Writes a new deployment with its key, takes the project's lock and counts it, in one
   * transaction. Throws `DuplicateField` (key) or `ProjectLockHeld`.
   */
  create(deployment: Deployment, lock: ProjectLock, now: string): Promise<void>;
  get(projectId: string, id: string): Promise<Deployment | undefined>;
  /** By its id alone, in any project (the BigCommerce dialect addresses deployments by uuid). */
  getById(id: string): Promise<Deployment | undefined>;
  resolveKey(projectId: string, key: string): Promise<string | undefined>;
  list(projectId: string, request: DeploymentListRequest): Promise<Page<Deployment>>;
  /**
   * Replaces the deployment if it is still at `expectedVersion`, taking or releasing the
   * project's lock in the same transaction. Throws `ConcurrentModification`,
   * `ResourceNotFound` or `ProjectLockHeld`.
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

/** A deployment's status changed: what webhooks and other subscribers will consume. */
export interface DeploymentStatusChanged {
  type: 'DeploymentStatusChanged';
  tenant: string;
  projectKey: string;
  deploymentId: string;
  deploymentKey?: string;
  operationId: string;
  status: DeploymentEvent['status'];
  version: number;
  at: string;
}

/**
 * Publishes domain events: EventBridge on AWS, an in-process bus locally. Publishing never
 * throws: an event that cannot be delivered is logged by the adapter, and the change it
 * describes stands (the deployment and its trail are the record).
 */
export interface DomainEvents {
  publish(event: DeploymentStatusChanged): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export type { Principal };

/** What a secret is bound to: a ciphertext decrypts only for the same project and deployment. */
export interface EncryptionContext {
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

/**
 * Runs build and script commands where builds run: this machine for `npm start`, a CodeBuild
 * container on AWS (the same code, started by the state machine's CodeBuild integration).
 */
export interface CommandRunner {
  /**
   * Runs `command` with `sh -c` in `cwd` with exactly `env` (plus PATH and HOME), kills the
   * whole process group after `timeoutMs`, and hands every output line to `onLine`.
   */
  run(input: {
    command: string;
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    onLine: (line: string, stream: 'stdout' | 'stderr') => void;
    /** Stops the command (its whole process group) early: `aborted` in the result. */
    signal?: AbortSignal;
  }): Promise<{ exitCode: number | null; timedOut: boolean; aborted?: boolean }>;
}

export type HostedApplicationType = 'service' | 'event' | 'job' | 'assets';

/** One built application to host, with its whole environment (secured values decrypted). */
export interface HostingRequest {
  projectId: string;
  deploymentId: string;
  /** The operation (`details.build.id`) that hosts it; a redeploy hosts a new build beside the old. */
  buildId: string;
  applicationName: string;
  applicationType: HostedApplicationType;
  /** The built application: a directory on this machine locally, an object key on AWS. */
  bundle: string;
  /** Where the application answers (service, event, job), from connect.yaml. */
  endpoint?: string;
  healthCheckPath?: string;
  /** Job applications: the cron schedule to call `endpoint` on. */
  schedule?: string;
  environment: Record<string, string>;
  /** Values (the decrypted secured ones) that must never appear in captured output. */
  secretValues?: string[];
}

/** What a hosted application is reachable as: Connect's `url`, `topic` or `schedule`. */
export interface HostedApplication {
  url?: string;
  topic?: string;
  schedule?: string;
}

/**
 * Hosts applications: child processes, a local topic and a cron scheduler on this machine;
 * Lambda, SQS/SNS and EventBridge Scheduler on AWS (issue 6). Both are idempotent: hosting
 * the same build's application twice answers the same way, stopping what is gone is a no-op.
 */
export interface ApplicationHosting {
  /** Starts the application and resolves once it answers (services) or is scheduled (jobs). */
  host(request: HostingRequest): Promise<HostedApplication>;
  /**
   * Stops and removes a deployment's applications: those of one build (`buildId`), all but one
   * build (`exceptBuildId`, after a redeploy is up), or all of them.
   */
  stop(target: { deploymentId: string; buildId?: string; exceptBuildId?: string }): Promise<void>;
}
