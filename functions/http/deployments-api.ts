/** The deployments' routes: what each accepts and answers (see `api-spec.ts`). */
import * as z from 'zod';
import { LOG_SEVERITIES } from '../core/deployments/model.ts';
import {
  DeploymentDeleteQuery,
  DeploymentDraft,
  DeploymentLogQuery,
  DeploymentQuery,
  DeploymentRevisionQuery,
  DeploymentRollback,
  DeploymentUpdate,
} from '../core/deployments/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

/** What `deploymentLogPageView` answers: Connect's DeploymentLogCursorPagedQueryResponse. */
const DeploymentLogPage = z
  .object({
    data: z.array(
      z.object({
        type: z.enum(['HTTP_REQUEST', 'APPLICATION_TEXT', 'APPLICATION_JSON']),
        deploymentId: z.string(),
        applicationName: z.string(),
        severity: z.enum(LOG_SEVERITIES),
        timestamp: z.string().meta({ description: 'ISO 8601' }),
        details: z.record(z.string(), z.unknown()),
      }),
    ),
    next: z.string().nullable().meta({
      description:
        'The `pageToken` of the next page; `null` on the last page (always present: the commercetools CLI stops paging only on null or "")',
    }),
  })
  .meta({ id: 'DeploymentLogPage', description: "A page of a deployment's logs, oldest first" });

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
    response: DeploymentLogPage,
  },
  'DELETE /{projectKey}/deployments/{deploymentRef}': {
    summary: 'Undeploy and delete a deployment (`skipScripts=true` skips preUndeploy, Slipway)',
    status: 202,
    query: DeploymentDeleteQuery,
  },
  'GET /{projectKey}/deployments/{deploymentRef}/revisions': {
    summary: "A deployment's revisions (Connect's DeploymentRevisions), most recent first",
    status: 200,
    query: DeploymentRevisionQuery,
  },
  'GET /{projectKey}/deployments/{deploymentRef}/revisions/{revision}': {
    summary: 'One revision of a deployment',
    status: 200,
  },
  'POST /{projectKey}/deployments/{deploymentRef}/rollback': {
    summary:
      "Roll a deployment back to a revision (Connect's DeploymentRollback): a new version, deployed; a kept build is hosted again without building",
    status: 201,
    body: DeploymentRollback,
  },
} as const satisfies Record<string, OperationSpec>;
