import type { ProjectDeps } from '../projects/projects.ts';
import { getProject } from '../projects/projects.ts';
import type { Clock } from '../shared/clock.ts';
import { newId, sha256Hex } from '../shared/ids.ts';
import {
  UploadAlreadyConsumed,
  UploadContentInvalid,
  UploadExpired,
  UploadNotFound,
  UploadNotReady,
  UploadTooLarge,
} from './errors.ts';
import type { Upload } from './model.ts';
import { MAX_UPLOAD_TTL_SECONDS } from './model.ts';
import type { ArtifactStore, PresignedUpload, UploadRepository } from './ports.ts';
import type { UploadDraft } from './schemas.ts';

export interface UploadDeps extends ProjectDeps {
  uploads: UploadRepository;
  artifacts: ArtifactStore;
  clock: Clock;
  limits: { maxUploadBytes: number; uploadTtlSeconds: number };
}

const CONTENT_TYPE = 'application/zip';
const OBJECT_KEY = /^projects\/[0-9a-z-]{1,64}\/uploads\/([0-9a-f-]{36})\.zip$/;

/** Every upload's object key, as an EventBridge wildcard (the stack's rule for S3's events). */
export const UPLOAD_KEY_PATTERN = 'projects/*/uploads/*.zip';

/** The object key is the server's choice: `projects/<projectId>/uploads/<uploadId>.zip`. */
export const uploadObjectKey = (projectId: string, uploadId: string) =>
  `projects/${projectId}/uploads/${uploadId}.zip`;

/** A pending upload whose URL has expired reads as `expired`; DynamoDB TTL removes it later. */
const withEffectiveStatus = (upload: Upload, now: Date): Upload =>
  upload.status === 'pending' && Date.parse(upload.expiresAt) <= now.getTime()
    ? { ...upload, status: 'expired' }
    : upload;

/** Who an upload is for: a project, or (`projectKey: ''`) any project of a store. */
interface UploadOwner {
  tenant: string;
  projectKey: string;
  projectId: string;
  /** The object key's folder under `projects/`. */
  folder: string;
}

/**
 * Reserves an upload slot and signs a PUT URL for it. Content-Type is always signed; the size
 * and the SHA-256 are signed when the client declares them, so storage rejects other bytes.
 */
const reserveUpload = async (
  deps: UploadDeps,
  owner: UploadOwner,
  draft: UploadDraft,
): Promise<{ upload: Upload; presigned: PresignedUpload }> => {
  const { maxUploadBytes, uploadTtlSeconds } = deps.limits;
  if (draft.size !== undefined && draft.size > maxUploadBytes)
    throw new UploadTooLarge(draft.size, maxUploadBytes);

  const now = deps.clock.now();
  const expiresInSeconds = Math.min(draft.expiresInSeconds ?? uploadTtlSeconds, MAX_UPLOAD_TTL_SECONDS);
  const id = newId();
  const upload: Upload = {
    id,
    tenant: owner.tenant,
    projectKey: owner.projectKey,
    projectId: owner.projectId,
    objectKey: uploadObjectKey(owner.folder, id),
    status: 'pending',
    contentType: CONTENT_TYPE,
    declaredSize: draft.size,
    sha256: draft.sha256,
    maxSize: maxUploadBytes,
    expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
    createdAt: now.toISOString(),
    version: 1,
  };
  const presigned = await deps.artifacts.presignUpload({
    objectKey: upload.objectKey,
    contentType: CONTENT_TYPE,
    size: draft.size,
    sha256: draft.sha256,
    expiresInSeconds,
    signingDate: now,
  });
  await deps.uploads.create(upload);
  return { upload, presigned };
};

/** POST /{projectKey}/uploads: an upload for one project. */
export const createUpload = async (
  deps: UploadDeps,
  tenant: string,
  projectKey: string,
  draft: UploadDraft,
): Promise<{ upload: Upload; presigned: PresignedUpload }> => {
  const project = await getProject(deps, tenant, projectKey);
  return reserveUpload(deps, { tenant, projectKey, projectId: project.id, folder: project.id }, draft);
};

/**
 * BigCommerce's POST /deployments/uploads: an upload for a store, which any of its projects
 * may deploy (the project is named only when the deployment is created).
 */
export const createStoreUpload = (
  deps: UploadDeps,
  store: string,
): Promise<{ upload: Upload; presigned: PresignedUpload }> =>
  reserveUpload(
    deps,
    { tenant: store, projectKey: '', projectId: '', folder: `store-${sha256Hex(store).slice(0, 32)}` },
    {},
  );

/** Another tenant's or another project's upload is reported exactly like a missing one. */
export const getUpload = async (
  deps: Pick<UploadDeps, 'uploads' | 'clock'>,
  tenant: string,
  projectKey: string,
  id: string,
): Promise<Upload> => {
  const upload = await deps.uploads.get(id);
  if (!upload || upload.tenant !== tenant || upload.projectKey !== projectKey) throw new UploadNotFound(id);
  return withEffectiveStatus(upload, deps.clock.now());
};

/**
 * Storage reported a new object. Keys that are not upload slots are ignored (the bucket
 * holds other artifacts too); returns the upload it updated, if any.
 */
export const recordUploadedObject = async (
  deps: Pick<UploadDeps, 'uploads' | 'clock'>,
  object: { key: string; size: number; etag: string },
): Promise<Upload | undefined> => {
  const id = OBJECT_KEY.exec(object.key)?.[1];
  if (!id) return undefined;
  return deps.uploads.markUploaded(id, {
    key: object.key,
    size: object.size,
    etag: object.etag.replaceAll('"', ''),
    at: deps.clock.now().toISOString(),
  });
};

/** An upload this project may use now: uploaded (or, when accepted, still pending), not expired, not consumed. */
const usableUpload = async (
  deps: Pick<UploadDeps, 'uploads' | 'clock'>,
  tenant: string,
  projectKey: string,
  id: string,
  acceptPending = false,
): Promise<Upload> => {
  const upload = await getUpload(deps, tenant, projectKey, id);
  if (upload.status === 'expired') throw new UploadExpired(id);
  if (upload.status === 'pending' && !acceptPending) throw new UploadNotReady(id);
  if (upload.status === 'consumed')
    throw new UploadAlreadyConsumed(id, upload.consumedBy ?? 'another resource');
  return upload;
};

/**
 * Checks the stored object against the upload's limits: storage that enforces no POST policy
 * (the local S3 server) could hold anything, so the size and type are read back, and a
 * declared SHA-256 is verified unless storage already did.
 */
export const verifyStoredUpload = async (
  deps: Pick<UploadDeps, 'artifacts'>,
  upload: Pick<Upload, 'id' | 'objectKey' | 'maxSize' | 'contentType' | 'sha256'>,
): Promise<void> => {
  const { id } = upload;
  const stored = await deps.artifacts.describe(upload.objectKey);
  if (!stored) throw new UploadContentInvalid(id, 'the file is no longer in storage');
  if (stored.size > upload.maxSize) throw new UploadTooLarge(stored.size, upload.maxSize);
  if (stored.contentType !== undefined && stored.contentType !== upload.contentType) {
    throw new UploadContentInvalid(
      id,
      `its content type is '${stored.contentType}', not '${upload.contentType}'`,
    );
  }
  if (upload.sha256 !== undefined) {
    const actual = stored.sha256 ?? (await deps.artifacts.computeSha256(upload.objectKey));
    if (actual !== upload.sha256)
      throw new UploadContentInvalid(id, 'its SHA-256 differs from the declared one');
  }
};

/** The conditional write that makes an upload `consumed` by `consumer`, exactly once. */
const markConsumedBy = async (
  deps: Pick<UploadDeps, 'uploads' | 'clock'>,
  upload: Upload,
  consumer: string,
  acceptPending = false,
): Promise<Upload> => {
  const at = deps.clock.now().toISOString();
  if (!(await deps.uploads.markConsumed(upload.id, consumer, at, acceptPending))) {
    const now = await deps.uploads.get(upload.id);
    throw new UploadAlreadyConsumed(upload.id, now?.consumedBy ?? 'another resource');
  }
  return { ...upload, status: 'consumed', consumedBy: consumer, version: upload.version + 1 };
};

/** Uses an upload for one deployment or connector, exactly once, after checking the stored object. */
export const consumeUpload = async (
  deps: UploadDeps,
  tenant: string,
  projectKey: string,
  id: string,
  consumer: string,
): Promise<Upload> => {
  const upload = await usableUpload(deps, tenant, projectKey, id);
  await verifyStoredUpload(deps, upload);
  return markConsumedBy(deps, upload, consumer);
};

/**
 * Uses an upload exactly once without reading storage: for a deployment, whose workflow checks
 * the stored object and copies it (`copyClaimedUpload`) as its first step. The deployments API
 * then needs no S3 client, which kept its bundle over budget.
 */
export const claimUpload = async (
  deps: Pick<UploadDeps, 'uploads' | 'clock'>,
  tenant: string,
  projectKey: string,
  id: string,
  consumer: string,
  /**
   * Claim an upload storage has not reported yet (its URL still valid). BigCommerce clients
   * PUT the bundle and create the deployment at once, before the storage event can land; the
   * workflow's first step then finds the object, or fails the deployment (code 20) without it.
   */
  acceptPending = false,
): Promise<Upload> =>
  markConsumedBy(
    deps,
    await usableUpload(deps, tenant, projectKey, id, acceptPending),
    consumer,
    acceptPending,
  );

/** A claimed upload's object, checked, copied to `targetKey` (the deployment's own copy). */
export const copyClaimedUpload = async (
  deps: Pick<UploadDeps, 'uploads' | 'artifacts'>,
  uploadId: string,
  targetKey: string,
): Promise<void> => {
  const upload = await deps.uploads.get(uploadId);
  if (!upload) throw new UploadNotFound(uploadId);
  await verifyStoredUpload(deps, upload);
  await deps.artifacts.copy(upload.objectKey, targetKey);
};

/**
 * Consumes an upload for `consumer` and copies it to `targetKey`, so that the upload slot's own
 * expiry cannot take the artifact away. Returns how to give the upload back when the consumer
 * is not written after all.
 */
export const takeUpload = async (
  deps: UploadDeps,
  tenant: string,
  projectKey: string,
  uploadId: string,
  consumer: string,
  targetKey: string,
): Promise<() => Promise<void>> => {
  const upload = await consumeUpload(deps, tenant, projectKey, uploadId, consumer);
  const release = () => deps.uploads.releaseConsumption(uploadId, consumer);
  try {
    await deps.artifacts.copy(upload.objectKey, targetKey);
  } catch (error) {
    await release();
    throw error;
  }
  return release;
};
