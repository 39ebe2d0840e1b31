/**
 * Connect's DeploymentRevision (23 October 2026): what every successful deploy of a deployment
 * ran — its connector version and each application's configuration — numbered 1, 2, 3… per
 * deployment. Failed and canceled attempts record none, so every revision is a valid rollback
 * target. Slipway also keeps which build ran, so a rollback to a revision whose build is still
 * kept hosts it again without building (see `rollback.ts`, `retention.ts`).
 */
import { ResourceNotFound } from '../shared/errors.ts';
import type { Page } from '../shared/listing.ts';
import { describeRef } from '../shared/refs.ts';
import type { Deployment, DeploymentRevision } from './model.ts';
import type { DeploymentDeps, DeploymentRef } from './operations.ts';
import { getDeployment } from './queries.ts';

/** The build whose files a deployment serves now. */
export const servedBuildId = (d: Pick<Deployment, 'hosted'>): string | undefined =>
  d.hosted && (d.hosted.builtBy ?? d.hosted.buildId);

/** The revision a deployment that just became Deployed records. */
export const revisionOf = (d: Deployment): DeploymentRevision | undefined => {
  if (d.status !== 'Deployed' || !d.hosted || d.lastRevision === undefined) return undefined;
  return {
    tenant: d.tenant,
    projectId: d.projectId,
    deploymentId: d.id,
    revision: d.lastRevision,
    createdAt: d.lastModifiedAt,
    operationId: d.hosted.buildId,
    connector: d.connector,
    applications: d.applications,
    ...(d.globalConfiguration ? { globalConfiguration: d.globalConfiguration } : {}),
    ...(d.rollbackRevision === undefined ? {} : { rollbackRevision: d.rollbackRevision }),
    builds: d.hosted.applications,
    buildId: servedBuildId(d) ?? d.hosted.buildId,
    buildKept: true,
  };
};

/** GET …/revisions: a deployment's revisions, most recent first, paged like Connect's queries. */
export const listRevisions = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  page: { limit: number; offset: number },
): Promise<Page<DeploymentRevision>> => {
  const d = await getDeployment(deps, tenant, projectKey, ref);
  return deps.revisions.page(d.id, page);
};

/** GET …/revisions/{revision}. */
export const getRevision = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  revision: number,
): Promise<DeploymentRevision> => {
  const d = await getDeployment(deps, tenant, projectKey, ref);
  const found = await deps.revisions.get(d.id, revision);
  if (!found)
    throw new ResourceNotFound(
      `The DeploymentRevision ${revision} of the Deployment with ${describeRef(ref)} was not found.`,
    );
  return found;
};
