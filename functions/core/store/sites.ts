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
  deployments: Pick<DeploymentRepository, 'getSite' | 'get'>;
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
  if (!app?.url) return undefined;
  return { deployment, applicationName: app.applicationName, origin: app.url.replace(/\/+$/, '') };
};
