/**
 * Changing a deployment: Connect's `redeploy`, Slipway's `cancel`, and DELETE (undeploy). Each
 * write is conditional on the version; those that start a workflow take the project's lock.
 */
import type { Project } from '../projects/ports.ts';
import { getProject } from '../projects/projects.ts';
import { ConcurrentModification } from '../shared/errors.ts';
import { claimUpload } from '../uploads/uploads.ts';
import { mergeApplications, resolveConnector } from './configuration.ts';
import { awaitingDeclaration, uploadedConnector } from './create.ts';
import {
  DeploymentApplicationDoNotBelong,
  DeploymentApplicationRequired,
  DeploymentConnectorUpdateFailure,
} from './errors.ts';
import type { Deployment, DeploymentConnector } from './model.ts';
import {
  type DeploymentDeps,
  type DeploymentRef,
  lockFor,
  newOperation,
  writeAndStart,
} from './operations.ts';
import { findDeployment } from './queries.ts';
import {
  assertCancelable,
  assertIfMatch,
  assertResting,
  checkApplicationValues,
  checkGlobalValues,
  checkRequiredApplicationKeys,
  executionOf,
  withReportEntries,
} from './rules.ts';
import type { ApplicationConfigurationInput, DeploymentUpdate, RedeployAction } from './schemas.ts';
import { record } from './workflow/record.ts';

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
 * What a redeploy builds: the connector's newest version (`updateConnector`), an upload of the
 * project (`artifact`, Slipway), or what the deployment ran before. An upload's connect.yaml is
 * read by the workflow, so its values are checked then (as on create); the others' now.
 */
const redeploySource = async (
  deps: DeploymentDeps,
  current: Deployment,
  action: RedeployAction,
  given: ApplicationConfigurationInput[],
) => {
  if (action.artifact) {
    const names = [...current.applications, ...given].map((a) => a.applicationName);
    return {
      connector: uploadedConnector(current.id, current.projectKey, action.artifact.uploadId),
      declared: awaitingDeclaration(names),
    };
  }
  const connector = action.updateConnector ? await refreshConnector(deps, current) : current.connector;
  for (const values of given) {
    if (!current.applications.some((a) => a.applicationName === values.applicationName))
      throw new DeploymentApplicationDoNotBelong(current.id, current.key, values.applicationName);
  }
  checkApplicationValues(connector, given);
  checkGlobalValues(connector.globalConfiguration, action.globalConfiguration, {
    standard: current.globalConfiguration?.standardConfiguration ?? [],
    securedKeys: current.globalConfiguration?.securedConfiguration.map((s) => s.key) ?? [],
  });
  return { connector, declared: connector.configurations };
};

/**
 * `redeploy`: from a resting status only, at the current version (and `If-Match` when sent).
 * New values are merged per application and key; `updateConnector` moves to the connector's
 * newest version first; `artifact` (Slipway) claims an upload of the project, once, and builds
 * from it.
 */
const redeployDeployment = async (
  deps: DeploymentDeps,
  project: Project,
  current: Deployment,
  action: RedeployAction,
): Promise<Deployment> => {
  assertResting(current);
  const given = action.configurationValues ?? [];
  if (action.configurationValues !== undefined && given.length === 0)
    throw new DeploymentApplicationRequired();
  const { connector, declared } = await redeploySource(deps, current, action, given);
  const { applications, globalConfiguration } = await mergeApplications(
    deps,
    { tenant: current.tenant, projectId: project.id, deploymentId: current.id },
    declared,
    current.applications,
    given,
    action.globalConfiguration,
    current.globalConfiguration,
  );
  if (!action.artifact) checkRequiredApplicationKeys({ connector, applications });

  const now = deps.clock.now();
  // A redeploy builds what it deploys: it no longer comes from a rollback.
  const { globalConfiguration: _, rollbackRevision: __, restore: ___, supersededBy: ____, ...rest } = current;
  const next: Deployment = {
    ...rest,
    ...(globalConfiguration ? { globalConfiguration } : {}),
    connector,
    applications,
    version: current.version + 1,
    status: 'Queued',
    skipScripts: action.skipScripts,
    ...(action.strictScripts === undefined ? {} : { strictScripts: action.strictScripts }),
    details: newOperation(),
    lastModifiedAt: now.toISOString(),
  };
  if (!action.artifact) return writeAndStart(deps, next, current.version, 'deploy', now, current.status);
  // Claimed before the write, as on create; given back when the write does not land.
  const consumer = `deployment:${current.id}`;
  await claimUpload(deps, current.tenant, current.projectKey, action.artifact.uploadId, consumer);
  try {
    return await writeAndStart(deps, next, current.version, 'deploy', now, current.status);
  } catch (error) {
    // The SDK retries a write whose answer was lost; the retry then fails on what it wrote.
    const stored = await deps.deployments.get(project.id, current.id).catch(() => undefined);
    if (stored?.details.build.id !== next.details.build.id)
      await deps.uploads.releaseConsumption(action.artifact.uploadId, consumer);
    throw error;
  }
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
    { from: current.status },
  );
  return next;
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
    details: newOperation(),
    lastModifiedAt: now.toISOString(),
  };
  return writeAndStart(deps, next, current.version, 'undeploy', now, current.status);
};
