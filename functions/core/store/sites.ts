/**
 * A project's one address (`/sites/<project id>/`): it serves the deployment last deployed
 * there by the BigCommerce dialect, whatever URL its application got (a new one per build),
 * so each deployment replaces the last at the same address.
 */

import type { Deployment } from '../deployments/model.ts';
import type { DeploymentRepository } from '../deployments/ports.ts';
import type { ProjectRepository } from '../projects/ports.ts';
import { OUTPUT_APPLICATION } from '../uploads/artifacts.ts';

export interface SiteDeps {
  projects: Pick<ProjectRepository, 'getById'>;
  deployments: Pick<DeploymentRepository, 'getSite' | 'get' | 'getById'>;
}

export interface SiteOrigin {
  deployment: Deployment;
  applicationName: string;
  /** Where the application answers now, without a trailing slash. */
  origin: string;
}

/** Where the project's address forwards to; undefined when nothing is deployed there. */
export const siteOrigin = async (deps: SiteDeps, projectId: string): Promise<SiteOrigin | undefined> => {
  const project = await deps.projects.getById(projectId);
  const site = project && (await deps.deployments.getSite(project.id));
  const deployment = site && (await deps.deployments.get(projectId, site.deploymentId));
  if (!deployment || deployment.status === 'Undeploying') return undefined;
  const apps = deployment.applications.filter((a) => a.url);
  const app = apps.find((a) => a.applicationName === OUTPUT_APPLICATION) ?? apps[0];
  const origin = app?.origin ?? app?.url;
  if (!app || !origin) return undefined;
  return { deployment, applicationName: app.applicationName, origin: origin.replace(/\/+$/, '') };
};

/**
 * Where a service's stable address (`/apps/<projectKey>/<deployment id>/<application>`)
 * forwards on AWS: the function URL of the build the deployment serves now. Undefined when
 * the address names nothing that runs, or a service whose `url` is not such an address
 * (under `npm start` the gateway serves `/apps/` itself).
 */
export const applicationOrigin = async (
  deps: SiteDeps,
  address: { projectKey: string; deploymentId: string; applicationName: string },
): Promise<SiteOrigin | undefined> => {
  const deployment = await deps.deployments.getById(address.deploymentId);
  if (!deployment || deployment.projectKey !== address.projectKey || deployment.status === 'Undeploying')
    return undefined;
  const app = deployment.applications.find((a) => a.applicationName === address.applicationName);
  if (!app?.origin) return undefined;
  return { deployment, applicationName: app.applicationName, origin: app.origin.replace(/\/+$/, '') };
};
