/**
 * Promote (Slipway's extension of the BigCommerce dialect): an earlier completed deployment of
 * a project serves the project's address again. It runs as a deploy of that deployment that
 * hosts its kept build again without building (as a rollback does) and, once it answers,
 * takes the address over; the deployment it replaces is marked superseded. A deployment whose
 * build retention removed is built again from its own artifact.
 */

import { DeploymentInProgress } from '../deployments/errors.ts';
import type { Deployment } from '../deployments/model.ts';
import { type DeploymentDeps, newOperation, writeAndStart } from '../deployments/operations.ts';
import { servedBuildId } from '../deployments/revisions.ts';
import { getStoreDeployment } from './deployments.ts';
import { StoreDeploymentInProgress, StorePromoteNotAllowed } from './errors.ts';

/** POST /deployments/{uuid}/promote. Promoting the deployment served already changes nothing. */
export const promoteStoreDeployment = async (
  deps: DeploymentDeps,
  store: string,
  uuid: string,
): Promise<Deployment> => {
  const d = await getStoreDeployment(deps, store, uuid);
  if (!d.site || d.status !== 'Deployed' || !d.hosted)
    throw new StorePromoteNotAllowed(
      d.site
        ? `only a completed deployment can be promoted; this one is ${d.status === 'Deployed' ? 'not hosted' : d.status}`
        : 'the deployment was made in the Connect dialect and is not served at its project address',
    );
  const site = await deps.deployments.getSite(d.projectId);
  if (site?.deploymentId === d.id && !d.supersededBy) return d;

  const revision = d.lastRevision === undefined ? undefined : await deps.revisions.get(d.id, d.lastRevision);
  const kept = revision?.buildKept === true;
  const now = deps.clock.now();
  const { restore: _, supersededBy: __, ...rest } = d;
  const next: Deployment = {
    ...rest,
    version: d.version + 1,
    status: 'Queued',
    // What it ran when it was deployed ran its scripts then; promoting switches traffic only.
    skipScripts: true,
    ...(kept
      ? { restore: { buildId: servedBuildId(d) ?? d.hosted.buildId, applications: d.hosted.applications } }
      : {}),
    details: newOperation({
      type: 'Information',
      title: 'Promoted',
      message: kept
        ? 'Its build is kept: it is hosted again without building, then serves the project address.'
        : 'Its build was removed by retention: it is built again from its artifact.',
      createdAt: now.toISOString(),
    }),
    lastModifiedAt: now.toISOString(),
  };
  try {
    return await writeAndStart(deps, next, d.version, 'deploy', now, d.status);
  } catch (error) {
    if (error instanceof DeploymentInProgress)
      throw new StoreDeploymentInProgress(String(error.details.activeDeploymentId));
    throw error;
  }
};
