/** The reads several commands share: a project, a deployment by key or id, its revisions. */
import { type Api, unwrap } from './api/client.ts';
import type { Deployment, DeploymentRevision, Paged } from './api/types.ts';
import { ApiError } from './errors.ts';

/** `key=<key>`, as the API names a deployment by its key. */
export const byKey = (key: string) => `key=${key}`;

const listHint = (projectKey: string) => ({
  404: `slipway ls --project ${projectKey} lists the project's deployments.`,
});

export const getDeployment = (api: Api, projectKey: string, deploymentRef: string) =>
  unwrap<Deployment>(
    api.GET('/{projectKey}/deployments/{deploymentRef}', { params: { path: { projectKey, deploymentRef } } }),
    listHint(projectKey),
  );

/** The deployment with `key`, or undefined when there is none yet. */
export const findDeployment = async (api: Api, projectKey: string, key: string) => {
  try {
    return await getDeployment(api, projectKey, byKey(key));
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
};

/** The project, checked first: a missing one is the likeliest mistake, and says how to fix it. */
export const assertProject = async (api: Api, projectKey: string) => {
  await unwrap(api.GET('/projects/{projectKey}', { params: { path: { projectKey } } }), {
    404: `Create it with slipway projects create ${projectKey}, or pass the key of one that exists (slipway projects ls).`,
  });
};

/** A deployment's revisions, most recent first. */
export const listRevisions = (api: Api, projectKey: string, key: string, limit = 20) =>
  unwrap<Paged<DeploymentRevision>>(
    api.GET('/{projectKey}/deployments/{deploymentRef}/revisions', {
      params: { path: { projectKey, deploymentRef: byKey(key) }, query: { limit: String(limit) } },
    }),
    listHint(projectKey),
  );
