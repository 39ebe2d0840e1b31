/** The deployments' routes: what each accepts and answers (see `api-spec.ts`). */
import {
  DeploymentDeleteQuery,
  DeploymentDraft,
  DeploymentLogQuery,
  DeploymentQuery,
  DeploymentUpdate,
} from '../core/deployments/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const DEPLOYMENTS_API = {
  'POST /{projectKey}/deployments': { summary: 'Create a deployment', status: 201, body: DeploymentDraft },
  'GET /{projectKey}/deployments': { summary: 'List deployments', status: 200, query: DeploymentQuery },
  'GET /{projectKey}/deployments/{deploymentRef}': { summary: 'Get a deployment by id or key=', status: 200 },
  'POST /{projectKey}/deployments/{deploymentRef}': {
    summary: 'Redeploy a deployment (201), or cancel one in progress (200, Slipway)',
    status: 201,
    body: DeploymentUpdate,
  },
  'GET /{projectKey}/deployments/{deploymentRef}/logs': {
    summary: "A deployment's logs",
    status: 200,
    query: DeploymentLogQuery,
  },
  'DELETE /{projectKey}/deployments/{deploymentRef}': {
    summary: 'Undeploy and delete a deployment (`skipScripts=true` skips preUndeploy, Slipway)',
    status: 202,
    query: DeploymentDeleteQuery,
  },
} as const satisfies Record<string, OperationSpec>;
