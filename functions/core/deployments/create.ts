/** Creating a deployment (Connect's POST /{projectKey}/deployments), from a connector or an upload. */
import type { Principal } from '../auth/principal.ts';
import type { ConnectorConfigurationApplication } from '../connectors/model.ts';
import { tenantQuotas } from '../limits/quotas.ts';
import { getProject } from '../projects/projects.ts';
import { newTimeOrderedId } from '../shared/ids.ts';
import { claimUpload } from '../uploads/uploads.ts';
import {
  checkConnectorRegion,
  checkRegionServed,
  mergeApplications,
  resolveConnector,
  resolveType,
} from './configuration.ts';
import type { Deployment, DeploymentConnector } from './model.ts';
import { type DeploymentDeps, inProgress, lockFor, newOperation, startOperation } from './operations.ts';
import { ProjectLockHeld } from './ports.ts';
import { checkApplicationValues, checkGlobalValues, checkRequiredApplicationKeys } from './rules.ts';
import type { DeploymentDraft } from './schemas.ts';

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
    ? awaitingDeclaration(draft.configurations.map((c) => c.applicationName))
    : connector.configurations;
  const { applications, globalConfiguration } = await mergeApplications(
    deps,
    { tenant: principal.tenant, projectId: project.id, deploymentId: id },
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
    details: newOperation(),
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
  const quotas = await tenantQuotas(deps, principal.tenant);
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
    await deps.deployments.create(deployment, lock, now.toISOString(), quotas);
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

/**
 * Applications named by the values given for an upload, before its connect.yaml is read: the
 * workflow checks them against what it declares (`prepareDeploy`).
 */
export const awaitingDeclaration = (names: string[]): ConnectorConfigurationApplication[] =>
  [...new Set(names)].map((applicationName) => ({
    applicationName,
    applicationType: 'unknown',
    standardConfiguration: [],
    securedConfiguration: [],
  }));

/** Where a deployment keeps the copy of the upload it consumed. */
export const deploymentArtifactKey = (deploymentId: string, uploadId: string) =>
  `deployments/${deploymentId}/artifacts/${uploadId}.zip`;

/**
 * The snapshot of a deployment made straight from an upload: no connector exists, so its
 * identity is the upload's, and what it declares is known once the workflow has read it.
 */
export const uploadedConnector = (
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
