/**
 * The deployments use cases (Connect's `/{projectKey}/deployments`): create, read, list,
 * redeploy and delete, each write conditional on the version and, for the three that start
 * a workflow, taking the project's one-in-progress lock in the same transaction.
 */

import type { ConnectorConfigurationApplication } from './connector-model.ts';
import { type ConnectorRef, getConnector, getConnectorDraft } from './connectors.ts';
import type {
  ApplicationDeployment,
  Deployment,
  DeploymentConnector,
  DeploymentExecution,
  DeploymentType,
  ProjectLock,
  SecuredValue,
  StoredConfiguration,
} from './deployment-model.ts';
import {
  assertCancelable,
  assertIfMatch,
  assertResting,
  checkApplicationValues,
  checkGlobalValues,
  checkRequiredApplicationKeys,
  executionOf,
  mergeValues,
  statusChanged,
  withReportEntries,
} from './deployment-rules.ts';
import type {
  ApplicationConfigurationInput,
  ConfigurationInput,
  ConnectorReferenceInput,
  DeploymentDraft,
  DeploymentLogQuery,
  DeploymentQuery,
  DeploymentUpdate,
  RedeployAction,
} from './deployment-schemas.ts';
import { record } from './deployment-workflow.ts';
import {
  ConcurrentModification,
  ConnectorReferenceNotFound,
  ConnectorStagedNotPreviewable,
  DeploymentApplicationDoesNotExist,
  DeploymentApplicationDoNotBelong,
  DeploymentApplicationRequired,
  DeploymentConnectorUpdateFailure,
  DeploymentInProgress,
  DeploymentInvalidType,
  DeploymentLogInvalidDate,
  DeploymentUnsupportedRegion,
  ResourceNotFound,
} from './errors.ts';
import { newId, newTimeOrderedId } from './ids.ts';
import {
  type Clock,
  type ConnectorRepository,
  type DeploymentEventRepository,
  type DeploymentLogRepository,
  type DeploymentRepository,
  type DomainEvents,
  type EncryptionContext,
  type Page,
  type Principal,
  type Project,
  ProjectLockHeld,
  type ProjectRepository,
  type SecretCipher,
  type Workflows,
} from './ports.ts';
import { getProject } from './projects.ts';
import { describeRef, type ResourceRef } from './refs.ts';
import { claimUpload, type UploadDeps } from './uploads.ts';

export interface DeploymentDeps extends Pick<UploadDeps, 'uploads'> {
  projects: ProjectRepository;
  clock: Clock;
  connectors: ConnectorRepository;
  deployments: DeploymentRepository;
  logs: DeploymentLogRepository;
  cipher: SecretCipher;
  workflows: Workflows;
  events: DeploymentEventRepository;
  bus: DomainEvents;
  settings: {
    /** The regions this server deploys to. */
    regions: string[];
  };
}

export type DeploymentRef = ResourceRef;

/**
 * How long the project's lock holds without its workflow releasing it; after that it can be
 * taken over, so a dead workflow cannot block a project for ever. Longer than any deploy or
 * undeploy execution may run (their state machines time out within an hour).
 */
export const LOCK_LEASE_MS = 2 * 60 * 60 * 1000;

/** Another tenant's or another project's deployment is reported exactly like a missing one. */
const findDeployment = async (deps: DeploymentDeps, projectId: string, ref: DeploymentRef) => {
  const id = 'id' in ref ? ref.id : await deps.deployments.resolveKey(projectId, ref.key);
  const deployment = id === undefined ? undefined : await deps.deployments.get(projectId, id);
  if (!deployment) throw new ResourceNotFound(`The Deployment with ${describeRef(ref)} was not found.`);
  return deployment;
};

export const getDeployment = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
): Promise<Deployment> => findDeployment(deps, (await getProject(deps, tenant, projectKey)).id, ref);

export const listDeployments = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  query: DeploymentQuery,
): Promise<Page<Deployment>> => {
  const project = await getProject(deps, tenant, projectKey);
  return deps.deployments.list(project.id, query);
};

/**
 * The connector a draft refers to, as a snapshot: a published version (the newest unless
 * `version` is given) the tenant can see, or with `staged: true` the tenant's own previewable
 * ConnectorStaged. A private connector limited to some projects is not found from others.
 */
const resolveConnector = async (
  deps: DeploymentDeps,
  tenant: string,
  projectIdentifier: string,
  ref: ConnectorReferenceInput,
): Promise<DeploymentConnector> => {
  const connectorRef: ConnectorRef = ref.id !== undefined ? { id: ref.id } : { key: ref.key ?? '' };
  const identifier = ref.id ?? ref.key ?? '';
  const notFound = () => new ConnectorReferenceNotFound(identifier, ref.version);
  if (ref.staged) {
    const draft = await getConnectorDraft(deps, tenant, connectorRef).catch(() => {
      throw notFound();
    });
    if (draft.isPreviewable !== 'true' || draft.previewObjectKey === undefined)
      throw new ConnectorStagedNotPreviewable(identifier);
    return {
      id: draft.id,
      ...(draft.key === undefined ? {} : { key: draft.key }),
      version: draft.version,
      name: draft.name,
      ...(draft.description ? { description: draft.description } : {}),
      integrationTypes: draft.integrationTypes,
      creator: draft.creator,
      source: draft.source,
      configurations: draft.configurations,
      ...(draft.globalConfiguration ? { globalConfiguration: draft.globalConfiguration } : {}),
      ...(draft.apiClient ? { apiClient: draft.apiClient } : {}),
      certified: false,
      supportedRegions: draft.supportedRegions,
      ...(draft.documentationUrl ? { documentationUrl: draft.documentationUrl } : {}),
      staged: true,
      objectKey: draft.previewObjectKey,
    };
  }
  const latest = await getConnector(deps, tenant, connectorRef).catch(() => {
    throw notFound();
  });
  const connector =
    ref.version === undefined || ref.version === latest.version
      ? latest
      : await deps.connectors.getConnector(latest.id, ref.version);
  if (!connector) throw notFound();
  if (
    connector.private &&
    connector.privateProjects.length > 0 &&
    !connector.privateProjects.includes(projectIdentifier)
  )
    throw notFound();
  const {
    tenant: _,
    private: __,
    privateProjects: ___,
    createdAt: ____,
    lastModifiedAt: _____,
    ...snapshot
  } = connector;
  return { ...snapshot, staged: false };
};

/** `type` defaults to `sandbox` for a Connector; a ConnectorStaged can only be a `preview`. */
const resolveType = (connector: DeploymentConnector, type: DeploymentType | undefined): DeploymentType => {
  const allowed: DeploymentType[] = connector.staged ? ['preview'] : ['sandbox', 'production'];
  const resolved = type ?? allowed[0] ?? 'sandbox';
  if (!allowed.includes(resolved))
    throw new DeploymentInvalidType(connector.id, connector.key, resolved, allowed);
  return resolved;
};

/** A connector may limit where it runs (`supportedRegions`); none listed means anywhere served. */
const checkConnectorRegion = (connector: DeploymentConnector, region: string) => {
  if (connector.supportedRegions.length > 0 && !connector.supportedRegions.includes(region))
    throw new DeploymentUnsupportedRegion(region, connector.supportedRegions);
};

/** Encrypts the secured values of one write with one cipher call (one data key on AWS). */
const sealAll = async (
  cipher: SecretCipher,
  context: EncryptionContext,
  groups: ConfigurationInput['securedConfiguration'][],
): Promise<SecuredValue[][]> => {
  const flat = groups.flat();
  const sealed = await cipher.encrypt(
    flat.map((v) => v.value),
    context,
  );
  let i = 0;
  return groups.map((group) => group.map((v) => ({ key: v.key, ciphertext: sealed[i++] ?? '' })));
};

/**
 * The applications after applying `given` values: every application the connector declares,
 * each keeping what it had unless a given key replaces it.
 */
const mergeApplications = async (
  deps: DeploymentDeps,
  context: EncryptionContext,
  declared: ConnectorConfigurationApplication[],
  current: ApplicationDeployment[],
  given: ApplicationConfigurationInput[],
  globalGiven: ConfigurationInput | undefined,
  currentGlobal: StoredConfiguration | undefined,
) => {
  const [globalSecured = [], ...appSecured] = await sealAll(deps.cipher, context, [
    globalGiven?.securedConfiguration ?? [],
    ...given.map((g) => g.securedConfiguration),
  ]);
  const applications = declared.map((d): ApplicationDeployment => {
    const existing = current.find((a) => a.applicationName === d.applicationName);
    const index = given.findIndex((g) => g.applicationName === d.applicationName);
    const values = given[index];
    return {
      ...(existing ?? { id: newId(), applicationName: d.applicationName }),
      ...(values?.schedule ? { scheduleOverride: values.schedule } : {}),
      standardConfiguration: mergeValues(
        existing?.standardConfiguration ?? [],
        values?.standardConfiguration ?? [],
      ),
      securedConfiguration: mergeValues(existing?.securedConfiguration ?? [], appSecured[index] ?? []),
    };
  });
  const globalConfiguration =
    globalGiven || currentGlobal
      ? {
          standardConfiguration: mergeValues(
            currentGlobal?.standardConfiguration ?? [],
            globalGiven?.standardConfiguration ?? [],
          ),
          securedConfiguration: mergeValues(currentGlobal?.securedConfiguration ?? [], globalSecured),
        }
      : undefined;
  return { applications, globalConfiguration };
};

const inProgress = async (deps: DeploymentDeps, lock: ProjectLock) => {
  const active = await deps.deployments.get(lock.projectId, lock.deploymentId);
  return new DeploymentInProgress(
    lock.deploymentId,
    active?.status ?? (lock.operation === 'undeploy' ? 'Undeploying' : 'Queued'),
  );
};

const lockFor = (d: Deployment, operation: ProjectLock['operation'], now: Date): ProjectLock => ({
  projectId: d.projectId,
  deploymentId: d.id,
  operation,
  operationId: d.details.build.id,
  leaseExpiresAt: new Date(now.getTime() + LOCK_LEASE_MS).toISOString(),
});

/**
 * The execution's name: one per operation, so a retried start never starts a second, and the
 * reaper finds an operation's execution from its lock alone. (Step Functions allows 80
 * characters; the deployment id and the operation id's first eight are plenty to tell apart.)
 */
export const operationExecutionName = (
  lock: Pick<ProjectLock, 'operation' | 'deploymentId' | 'operationId'>,
) => `${lock.operation}-${lock.deploymentId}-${lock.operationId.slice(0, 8)}`;

/**
 * Starts the workflow of an operation whose write (and lock) just landed. If the start
 * fails, the operation is recorded as failed and the lock released in one write
 * (compensation), so the project is not left locked; if even that fails, the lock's lease
 * runs out and the reaper finishes it.
 */
const startOperation = async (deps: DeploymentDeps, deployment: Deployment, lock: ProjectLock) => {
  const execution: DeploymentExecution = {
    tenant: deployment.tenant,
    projectId: deployment.projectId,
    deploymentId: deployment.id,
    operation: lock.operation,
    operationId: lock.operationId,
  };
  try {
    await deps.workflows.start(lock.operation, operationExecutionName(lock), execution);
    await deps.bus.publish(
      statusChanged(deployment, lock.operationId, deployment.status, deployment.lastModifiedAt),
    );
    return deployment;
  } catch (error) {
    const now = deps.clock.now().toISOString();
    const failed: Deployment = {
      ...deployment,
      status: lock.operation === 'deploy' ? 'Failed' : 'UndeployFailed',
      version: deployment.version + 1,
      lastModifiedAt: now,
      details: {
        build: {
          id: deployment.details.build.id,
          report: {
            entries: [
              {
                type: 'Error',
                title: `The ${lock.operation} workflow could not be started (${(error as Error).name}); try again.`,
                createdAt: now,
              },
            ],
          },
        },
      },
    };
    try {
      await deps.deployments.update(failed, deployment.version, { release: lock });
      await deps.bus.publish(statusChanged(failed, lock.operationId, failed.status, now));
      return failed;
    } catch {
      return deployment;
    }
  }
};

/** POST /{projectKey}/deployments: checks the draft, stores it `Queued` with the lock, starts the workflow. */
export const createDeployment = async (
  deps: DeploymentDeps,
  principal: Principal,
  projectKey: string,
  draft: DeploymentDraft,
  options: {
    /** The project key the upload was made for: `''` for a store's uploads (BigCommerce), made before any project is named. */
    uploadProjectKey?: string;
    /** Served at the project's address once deployed, replacing the deployment served there. */
    site?: boolean;
    /** Claim an upload storage has not reported yet (see `claimUpload`). */
    acceptPendingUpload?: boolean;
  } = {},
): Promise<Deployment> => {
  const project = await getProject(deps, principal.tenant, projectKey);
  checkRegionServed(deps, draft.region);
  const id = newTimeOrderedId();
  const connector = draft.artifact
    ? uploadedConnector(id, projectKey, draft.artifact.uploadId)
    : await resolveConnector(
        deps,
        principal.tenant,
        `${draft.region}:${projectKey}`,
        draft.connector ?? { staged: false },
      );
  const type = resolveType(connector, draft.type);
  checkConnectorRegion(connector, draft.region);
  // An upload's connect.yaml is read by the workflow, which checks the values then; a
  // connector's is known now.
  if (!draft.artifact) {
    checkApplicationValues(connector, draft.configurations);
    checkGlobalValues(connector.globalConfiguration, draft.globalConfiguration, {
      standard: [],
      securedKeys: [],
    });
  }
  const declared = draft.artifact
    ? draft.configurations.map((c) => ({
        applicationName: c.applicationName,
        applicationType: 'unknown',
        standardConfiguration: [],
        securedConfiguration: [],
      }))
    : connector.configurations;
  const { applications, globalConfiguration } = await mergeApplications(
    deps,
    { projectId: project.id, deploymentId: id },
    declared,
    [],
    draft.configurations,
    draft.globalConfiguration,
    undefined,
  );
  if (!draft.artifact) checkRequiredApplicationKeys({ connector, applications });

  const now = deps.clock.now();
  const deployment: Deployment = {
    id,
    tenant: principal.tenant,
    projectId: project.id,
    projectKey,
    ...(draft.key === undefined ? {} : { key: draft.key }),
    version: 1,
    type,
    connector,
    ...(globalConfiguration ? { globalConfiguration } : {}),
    ...(connector.apiClient
      ? { apiClient: { name: `slipway-${draft.key ?? id}`, scopes: connector.apiClient.scopes } }
      : {}),
    details: { build: { id: newId(), report: { entries: [] } } },
    deployedRegion: draft.region,
    applications,
    status: 'Queued',
    skipScripts: false,
    ...(options.site ? { site: true } : {}),
    // The deployment's own choice, else its project's (fixed now, so a later project change does not move it).
    ...((draft.strictScripts ?? project.strictScripts) === undefined
      ? {}
      : { strictScripts: draft.strictScripts ?? project.strictScripts }),
    createdAt: now.toISOString(),
    lastModifiedAt: now.toISOString(),
  };
  const lock = lockFor(deployment, 'deploy', now);
  // An upload is claimed now; the workflow's first step checks its bytes and copies them to
  // the deployment's own key (copyClaimedUpload), so this API reads no storage.
  const uploadId = draft.artifact?.uploadId;
  if (uploadId)
    await claimUpload(
      deps,
      principal.tenant,
      options.uploadProjectKey ?? projectKey,
      uploadId,
      `deployment:${id}`,
      options.acceptPendingUpload ?? false,
    );
  const release = async () => {
    if (uploadId) await deps.uploads.releaseConsumption(uploadId, `deployment:${id}`);
  };
  try {
    await deps.deployments.create(deployment, lock, now.toISOString());
  } catch (error) {
    // The SDK retries a write whose answer was lost; the retry then fails on what it wrote.
    if (!(await deps.deployments.get(project.id, id).catch(() => undefined))) {
      await release();
      if (error instanceof ProjectLockHeld) throw await inProgress(deps, error.lock);
      throw error;
    }
  }
  return startOperation(deps, deployment, lock);
};

/** Where a deployment keeps the copy of the upload it consumed. */
export const deploymentArtifactKey = (deploymentId: string, uploadId: string) =>
  `deployments/${deploymentId}/artifacts/${uploadId}.zip`;

/**
 * The snapshot of a deployment made straight from an upload: no connector exists, so its
 * identity is the upload's, and what it declares is known once the workflow has read it.
 */
const uploadedConnector = (
  deploymentId: string,
  projectKey: string,
  uploadId: string,
): DeploymentConnector => ({
  id: uploadId,
  version: 1,
  name: `Upload ${uploadId}`,
  integrationTypes: [],
  creator: { email: '' },
  source: {
    type: 'artifact',
    projectKey,
    uploadId,
    objectKey: deploymentArtifactKey(deploymentId, uploadId),
  },
  configurations: [],
  certified: false,
  supportedRegions: [],
  staged: false,
  objectKey: deploymentArtifactKey(deploymentId, uploadId),
});

/** A region this server does not serve is refused before the connector is looked up. */
const checkRegionServed = (deps: DeploymentDeps, region: string) => {
  if (!deps.settings.regions.includes(region))
    throw new DeploymentUnsupportedRegion(region, deps.settings.regions);
};

/** The connector a redeploy with `updateConnector` moves to: the newest version, or the staged draft now. */
const refreshConnector = async (deps: DeploymentDeps, current: Deployment): Promise<DeploymentConnector> => {
  try {
    return await resolveConnector(deps, current.tenant, `${current.deployedRegion}:${current.projectKey}`, {
      id: current.connector.id,
      staged: current.connector.staged,
    });
  } catch (error) {
    throw new DeploymentConnectorUpdateFailure((error as Error).message);
  }
};

/**
 * `redeploy`: from a resting status only, at the current version (and `If-Match` when sent).
 * New values are merged per application and key; `updateConnector` moves to the connector's
 * newest version first.
 */
const redeployDeployment = async (
  deps: DeploymentDeps,
  project: Project,
  current: Deployment,
  action: RedeployAction,
): Promise<Deployment> => {
  assertResting(current);
  const connector = action.updateConnector ? await refreshConnector(deps, current) : current.connector;
  const given = action.configurationValues ?? [];
  if (action.configurationValues !== undefined && given.length === 0)
    throw new DeploymentApplicationRequired();
  for (const values of given) {
    if (!current.applications.some((a) => a.applicationName === values.applicationName))
      throw new DeploymentApplicationDoNotBelong(current.id, current.key, values.applicationName);
  }
  checkApplicationValues(connector, given);
  checkGlobalValues(connector.globalConfiguration, action.globalConfiguration, {
    standard: current.globalConfiguration?.standardConfiguration ?? [],
    securedKeys: current.globalConfiguration?.securedConfiguration.map((s) => s.key) ?? [],
  });
  const { applications, globalConfiguration } = await mergeApplications(
    deps,
    { projectId: project.id, deploymentId: current.id },
    connector.configurations,
    current.applications,
    given,
    action.globalConfiguration,
    current.globalConfiguration,
  );
  checkRequiredApplicationKeys({ connector, applications });

  const now = deps.clock.now();
  const { globalConfiguration: _, ...rest } = current;
  const next: Deployment = {
    ...rest,
    ...(globalConfiguration ? { globalConfiguration } : {}),
    connector,
    applications,
    version: current.version + 1,
    status: 'Queued',
    skipScripts: action.skipScripts,
    ...(action.strictScripts === undefined ? {} : { strictScripts: action.strictScripts }),
    details: { build: { id: newId(), report: { entries: [] } } },
    lastModifiedAt: now.toISOString(),
  };
  return writeAndStart(deps, next, current.version, 'deploy', now);
};

/**
 * POST /{projectKey}/deployments/{id}: one update action at the current version (and
 * `If-Match` when sent): Connect's `redeploy`, or Slipway's `cancel`.
 */
export const updateDeployment = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  update: DeploymentUpdate,
  ifMatch?: string,
): Promise<Deployment> => {
  const project = await getProject(deps, tenant, projectKey);
  const current = await findDeployment(deps, project.id, ref);
  assertIfMatch(ifMatch, current.version);
  if (update.version !== current.version) throw new ConcurrentModification(update.version, current.version);
  const [action] = update.actions;
  return action.action === 'cancel'
    ? cancelDeployment(deps, current)
    : redeployDeployment(deps, project, current, action);
};

/**
 * `cancel`: a Queued or Deploying deployment ends Failed with a "Canceled" entry and its lock
 * released, in one conditional write. That write is the whole cancel: the execution is left
 * to wind down, because its own steps are what clean up. Its next step finds the operation
 * no longer current and fails; RecordFailure then stops whatever this build hosted, and a
 * running build or script notices within two seconds and is killed. Stopping the execution
 * from here would skip that cleanup, and would put the hosting clients in the API's bundle.
 */
const cancelDeployment = async (deps: DeploymentDeps, current: Deployment): Promise<Deployment> => {
  assertCancelable(current);
  const now = deps.clock.now().toISOString();
  const next: Deployment = {
    ...current,
    version: current.version + 1,
    status: 'Failed',
    lastModifiedAt: now,
    ...withReportEntries(current, [
      { type: 'Error', title: 'Canceled', message: 'The deployment was canceled.', createdAt: now },
    ]),
  };
  const lock = lockFor(current, 'deploy', deps.clock.now());
  await deps.deployments.update(next, current.version, { release: lock });
  await record(
    deps,
    next,
    executionOf(current, lock),
    'Failed',
    { step: 'failed', progress: 100, message: 'Canceled', errorCode: 'Canceled' },
    true,
  );
  return next;
};

const writeAndStart = async (
  deps: DeploymentDeps,
  next: Deployment,
  expectedVersion: number,
  operation: ProjectLock['operation'],
  now: Date,
) => {
  const lock = lockFor(next, operation, now);
  try {
    await deps.deployments.update(next, expectedVersion, { acquire: lock, now: now.toISOString() });
  } catch (error) {
    if (error instanceof ProjectLockHeld) throw await inProgress(deps, error.lock);
    throw error;
  }
  return startOperation(deps, next, lock);
};

/** DELETE: from a resting status, moves to `Undeploying` with the lock and starts the undeploy workflow. */
export const deleteDeployment = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  options: { ifMatch?: string; skipScripts?: boolean } = {},
): Promise<Deployment> => {
  const project = await getProject(deps, tenant, projectKey);
  const current = await findDeployment(deps, project.id, ref);
  assertIfMatch(options.ifMatch, current.version);
  assertResting(current);
  const now = deps.clock.now();
  const next: Deployment = {
    ...current,
    version: current.version + 1,
    status: 'Undeploying',
    skipScripts: options.skipScripts ?? false,
    details: { build: { id: newId(), report: { entries: [] } } },
    lastModifiedAt: now.toISOString(),
  };
  return writeAndStart(deps, next, current.version, 'undeploy', now);
};

/** How far back logs can be asked for: Connect's 30 days, which is also how long they are kept. */
export const LOG_WINDOW_MS = 30 * 24 * 60 * 60 * 1000;

const instant = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined) return fallback;
  const at = Date.parse(value);
  if (Number.isNaN(at)) throw new DeploymentLogInvalidDate(`${name} '${value}' is not an ISO 8601 date`);
  return at;
};

/**
 * GET …/logs: a deployment's log entries between `startDate` (at most 30 days back, the
 * default) and `endDate` (now by default), oldest first, optionally of one application.
 */
export const getDeploymentLogs = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  query: DeploymentLogQuery,
) => {
  const deployment = await getDeployment(deps, tenant, projectKey, ref);
  const now = deps.clock.now().getTime();
  const from = instant(query.startDate, now - LOG_WINDOW_MS, 'startDate');
  const to = instant(query.endDate, now, 'endDate');
  // A minute's grace: a client computing "30 days ago" a moment before this request is right.
  if (from < now - LOG_WINDOW_MS - 60_000)
    throw new DeploymentLogInvalidDate('startDate is more than 30 days back');
  if (from > to) throw new DeploymentLogInvalidDate('startDate is after endDate');
  if (
    query.applicationName !== undefined &&
    !deployment.applications.some((a) => a.applicationName === query.applicationName)
  )
    throw new DeploymentApplicationDoesNotExist(query.applicationName);
  return deps.logs.page(deployment.id, {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    limit: query.limit,
    ...(query.applicationName === undefined ? {} : { applicationName: query.applicationName }),
    ...(query.pageToken === undefined ? {} : { pageToken: query.pageToken }),
  });
};
