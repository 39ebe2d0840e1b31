/** Reading deployments: one by id or key, a project's list, and a deployment's logs. */
import { getProject } from '../projects/projects.ts';
import { ResourceNotFound } from '../shared/errors.ts';
import type { Page } from '../shared/listing.ts';
import { describeRef } from '../shared/refs.ts';
import { DeploymentApplicationDoesNotExist, DeploymentLogInvalidDate } from './errors.ts';
import type { Deployment } from './model.ts';
import type { DeploymentDeps, DeploymentRef } from './operations.ts';
import type { DeploymentLogQuery, DeploymentQuery } from './schemas.ts';

/** Another tenant's or another project's deployment is reported exactly like a missing one. */
export const findDeployment = async (deps: DeploymentDeps, projectId: string, ref: DeploymentRef) => {
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
