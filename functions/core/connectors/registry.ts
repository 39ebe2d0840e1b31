/**
 * The connector registry's use cases (Connect's `/connectors/drafts` and `/connectors`):
 * drafts are owned by the tenant that created them; publishing writes immutable Connector
 * versions, seen by the owner, and by every tenant once certified (see README, "Connectors").
 */
import { authorize } from '../auth/access.ts';
import type { Principal } from '../auth/principal.ts';
import { ConcurrentModification, DuplicateField, ResourceNotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/listing.ts';
import { sortAndPage } from '../shared/listing.ts';
import { describeRef, type ResourceRef } from '../shared/refs.ts';
import type { Workflows } from '../shared/workflows.ts';
import { takeUpload, type UploadDeps } from '../uploads/uploads.ts';
import {
  type ActionContext,
  applyDraftActions,
  artifactSource,
  CHECK_STALE_AFTER_MS,
  checkRepository,
  type SourcePolicy,
  type UploadToConsume,
} from './actions.ts';
import type { Connector, ConnectorStaged, SourceCheck, SourceCheckExecution } from './model.ts';
import type { ConnectorRepository } from './ports.ts';
import { finishCheck } from './publishing.ts';
import type {
  ConnectorSearchQuery,
  ConnectorStagedDraft,
  ConnectorStagedQuery,
  ConnectorUpdate,
} from './schemas.ts';

export interface ConnectorDeps extends UploadDeps {
  connectors: ConnectorRepository;
  workflows: Workflows;
  sourcePolicy: SourcePolicy;
}

/** The scopes that let a caller use a project's uploads (the same as `POST /{projectKey}/uploads`). */
const UPLOAD_SCOPES = ['admin', 'manage_project:{projectKey}', 'manage_connectors_deployments:{projectKey}'];

export type ConnectorRef = ResourceRef;

const resolveId = async (deps: Pick<ConnectorDeps, 'connectors'>, ref: ConnectorRef) =>
  'id' in ref ? ref.id : (await deps.connectors.resolveKey(ref.key))?.id;

export const executionName = (check: SourceCheck) => `${check.purpose}-${check.id}`;

/** Another tenant's draft is reported exactly like a missing one. */
export const getConnectorDraft = async (
  deps: Pick<ConnectorDeps, 'connectors'>,
  tenant: string,
  ref: ConnectorRef,
): Promise<ConnectorStaged> => {
  const id = await resolveId(deps, ref);
  const draft = id === undefined ? undefined : await deps.connectors.getDraft(tenant, id);
  if (!draft) throw new ResourceNotFound(`The ConnectorStaged with ${describeRef(ref)} was not found.`);
  return draft;
};

/** A check is given this long to start its workflow before a missing execution means it died. */
const CHECK_START_GRACE_MS = 60_000;

/**
 * The draft, with a check whose workflow ended without recording an outcome (its last step
 * could not write) recorded as failed, so the draft does not stay `Processing` until the check
 * goes stale: what a client reads is never stuck, and it can publish again.
 */
export const getSettledConnectorDraft = async (
  deps: Pick<ConnectorDeps, 'connectors' | 'workflows' | 'clock'>,
  tenant: string,
  ref: ConnectorRef,
): Promise<ConnectorStaged> => {
  let draft = await getConnectorDraft(deps, tenant, ref);
  const now = deps.clock.now().getTime();
  for (const check of [draft.publishRequest, draft.previewRequest]) {
    if (!check || check.finishedAt !== undefined) continue;
    const age = now - Date.parse(check.requestedAt);
    if (age >= CHECK_STALE_AFTER_MS) continue;
    const state = await deps.workflows.state('publish-connector', executionName(check));
    // Running is fine; missing may be a start still on its way (or lost to a restart): given a minute.
    if (state === 'RUNNING' || (state === 'MISSING' && age < CHECK_START_GRACE_MS)) continue;
    const failure = {
      ok: false as const,
      code: 'General',
      message: 'The publishing workflow ended without recording its outcome; try again.',
    };
    draft = (await finishCheck(deps, { tenant, connectorId: draft.id, request: check }, failure)) ?? draft;
  }
  return draft;
};

/**
 * Consumes the upload a draft refers to and copies it under the connector. The caller needs
 * the upload rights on the upload's project, not only `manage_connectors`.
 */
const useUpload = async (
  deps: ConnectorDeps,
  principal: Principal,
  connectorId: string,
  upload: UploadToConsume | undefined,
): Promise<() => Promise<void>> => {
  if (!upload) return async () => undefined;
  authorize(principal, UPLOAD_SCOPES, { projectKey: upload.projectKey });
  return takeUpload(
    deps,
    principal.tenant,
    upload.projectKey,
    upload.uploadId,
    `connector:${connectorId}`,
    upload.objectKey,
  );
};

/**
 * Starts the publish workflow for each check. A start that fails leaves no draft stuck in
 * `Processing`: the check is recorded as failed, with the reason, and the update stands.
 */
const startChecks = async (deps: ConnectorDeps, draft: ConnectorStaged, checks: SourceCheck[]) => {
  let current = draft;
  for (const check of checks) {
    const execution: SourceCheckExecution = { tenant: draft.tenant, connectorId: draft.id, request: check };
    try {
      await deps.workflows.start('publish-connector', executionName(check), execution);
    } catch (error) {
      const failure = {
        ok: false as const,
        code: 'General',
        message: `The publishing workflow could not be started (${(error as Error).name}); try again.`,
      };
      // The update itself is written; if even this record fails, the check is left to go
      // stale (CHECK_STALE_AFTER_MS) rather than turning a saved update into an error.
      current = (await finishCheck(deps, execution, failure).catch(() => undefined)) ?? current;
    }
  }
  return current;
};

/**
 * Whether a write that reported a conflict had in fact landed: the SDK retries a write whose
 * response was lost, and the retry then fails on the condition the first attempt satisfied.
 */
const landed = async (deps: Pick<ConnectorDeps, 'connectors'>, written: ConnectorStaged) =>
  (await deps.connectors.getDraft(written.tenant, written.id))?.writeId === written.writeId;

/** Writes a draft; on failure gives the consumed uploads back, unless the write had landed. */
const writeDraft = async (
  deps: ConnectorDeps,
  draft: ConnectorStaged,
  write: () => Promise<void>,
  release: () => Promise<void>,
) => {
  try {
    await write();
  } catch (error) {
    if (
      (error instanceof ConcurrentModification || error instanceof DuplicateField) &&
      (await landed(deps, draft))
    )
      return;
    await release();
    throw error;
  }
};

export const createConnectorDraft = async (
  deps: ConnectorDeps,
  principal: Principal,
  input: ConnectorStagedDraft,
): Promise<ConnectorStaged> => {
  const id = newId();
  const now = deps.clock.now().toISOString();
  const source = input.repository
    ? { type: 'git' as const, ...checkRepository(input.repository, deps.sourcePolicy, 'repository.url') }
    : artifactSource(id, input.artifact as NonNullable<typeof input.artifact>);
  // Checked before an upload is consumed, for a clear answer; the write checks it again atomically.
  if (input.key !== undefined && (await deps.connectors.resolveKey(input.key)))
    throw new DuplicateField('key', input.key);

  const draft: ConnectorStaged = {
    id,
    tenant: principal.tenant,
    ...(input.key === undefined ? {} : { key: input.key }),
    version: 1,
    name: input.name,
    description: input.description ?? '',
    integrationTypes: [...new Set(input.integrationTypes ?? [])],
    creator: input.creator,
    source,
    configurations: [],
    privateProjects: [...new Set(input.privateProjects ?? [])],
    supportedRegions: [...new Set(input.supportedRegions ?? [])],
    ...(input.documentationUrl === undefined ? {} : { documentationUrl: input.documentationUrl }),
    status: 'Draft',
    isPreviewable: 'none',
    certified: false,
    hasChanges: true,
    writeId: newId(),
    createdAt: now,
    lastModifiedAt: now,
  };
  const release = await useUpload(deps, principal, id, source.type === 'artifact' ? source : undefined);
  await writeDraft(deps, draft, () => deps.connectors.createDraft(draft), release);
  return draft;
};

export const listConnectorDrafts = async (
  deps: Pick<ConnectorDeps, 'connectors'>,
  tenant: string,
  query: ConnectorStagedQuery,
): Promise<Page<ConnectorStaged>> => {
  const drafts = (await deps.connectors.listDrafts(tenant)).filter(
    (d) =>
      (query.isPrivate === undefined || !d.certified === query.isPrivate) &&
      hasAnyType(d, query.integrationTypes),
  );
  return sortAndPage(drafts, query, SORT_FIELDS);
};

/** Connect's `integrationTypes` filter: any of the given types (no filter when none is given). */
const hasAnyType = (item: { integrationTypes: string[] }, types: string[] | undefined) =>
  types === undefined || types.some((t) => item.integrationTypes.includes(t));

const SORT_FIELDS = {
  createdAt: (c: { createdAt: string }) => c.createdAt,
  lastModifiedAt: (c: { lastModifiedAt: string }) => c.lastModifiedAt,
  name: (c: { name: string }) => c.name.toLowerCase(),
  key: (c: { key?: string }) => c.key,
  id: (c: { id: string }) => c.id,
};

/**
 * Applies `{version, actions}` to a draft. The version must be the current one (409
 * `ConcurrentModification` otherwise, also when another write lands first); `publish` and
 * `updatePreviewable` start the publish workflow once the draft is written.
 */
export const updateConnectorDraft = async (
  deps: ConnectorDeps,
  principal: Principal,
  ref: ConnectorRef,
  update: ConnectorUpdate,
): Promise<ConnectorStaged> => {
  const draft = await getSettledConnectorDraft(deps, principal.tenant, ref);
  if (draft.version !== update.version) throw new ConcurrentModification(update.version, draft.version);
  const ctx: ActionContext = { ...deps.sourcePolicy, now: deps.clock.now(), newRequestId: newId };
  const outcome = applyDraftActions(draft, update.actions, ctx);
  const release = await useUpload(deps, principal, draft.id, outcome.upload);
  await writeDraft(
    deps,
    outcome.draft,
    () => deps.connectors.putDraft(outcome.draft, update.version),
    release,
  );
  return startChecks(deps, outcome.draft, outcome.checks);
};

/** Deletes a draft at its current version. Published versions stay: deployments may run them. */
export const deleteConnectorDraft = async (
  deps: Pick<ConnectorDeps, 'connectors'>,
  tenant: string,
  ref: ConnectorRef,
  version: number,
): Promise<ConnectorStaged> => {
  const draft = await getConnectorDraft(deps, tenant, ref);
  await deps.connectors.deleteDraft(draft, version);
  return draft;
};

const visibleTo = (connector: Connector, tenant: string) => connector.tenant === tenant || !connector.private;

/** The newest published version; a private connector of another tenant is not found. */
export const getConnector = async (
  deps: Pick<ConnectorDeps, 'connectors'>,
  tenant: string,
  ref: ConnectorRef,
): Promise<Connector> => {
  const id = await resolveId(deps, ref);
  const connector = id === undefined ? undefined : await deps.connectors.getConnector(id);
  if (!connector || !visibleTo(connector, tenant))
    throw new ResourceNotFound(`The Connector with ${describeRef(ref)} was not found.`);
  return connector;
};

const matchesText = (c: Connector, text: string) => {
  const needle = text.toLowerCase();
  return [c.name, c.description, c.key, c.creator.company, c.creator.name].some((v) =>
    v?.toLowerCase().includes(needle),
  );
};

/** `GET /connectors/search`: the published connectors the tenant may see, filtered, sorted and paged. */
export const searchConnectors = async (
  deps: Pick<ConnectorDeps, 'connectors'>,
  tenant: string,
  query: ConnectorSearchQuery,
): Promise<Page<Connector>> => {
  const found = (await deps.connectors.listVisibleConnectors(tenant)).filter(
    (c) =>
      (query.text === undefined || matchesText(c, query.text)) &&
      (query.id === undefined || query.id.includes(c.id)) &&
      (query.key === undefined || (c.key !== undefined && query.key.includes(c.key))) &&
      hasAnyType(c, query.integrationTypes) &&
      (query.private === undefined || c.private === query.private) &&
      (query['creator.company'] === undefined || c.creator.company === query['creator.company']),
  );
  return sortAndPage(found, query, SORT_FIELDS);
};
