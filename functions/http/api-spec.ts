/**
 * What each route accepts and answers, for the OpenAPI document: the same zod schemas the
 * handlers validate with (handlers spread their entry into `operation(…)`, so the two cannot
 * drift apart), a summary, and the success status. Routes without a body or query need no
 * schema here, only their summary.
 */
import type * as z from 'zod';
import {
  ConnectorSearchQuery,
  ConnectorStagedDraft,
  ConnectorStagedQuery,
  ConnectorUpdate,
  DeploymentDeleteQuery,
  DeploymentDraft,
  DeploymentLogQuery,
  DeploymentQuery,
  DeploymentUpdate,
  PageQuery,
  ProjectDraft,
  TokenRequest,
  UploadDraft,
  VersionQuery,
} from '../core/schemas.ts';

export interface OperationSpec {
  summary: string;
  /** The success status (errors are described once, for every route). */
  status: number;
  body?: z.ZodType;
  /** `form` for OAuth2's urlencoded body; JSON otherwise. */
  bodyType?: 'form';
  query?: z.ZodType;
}

export const API = {
  'GET /health': { summary: 'Health of the service and its dependencies', status: 200 },
  'POST /oauth/token': {
    summary: 'OAuth2 client credentials: a bearer token',
    status: 200,
    body: TokenRequest,
    bodyType: 'form',
  },
  'GET /openapi.json': { summary: 'This document', status: 200 },
  'POST /projects': { summary: 'Create a project', status: 201, body: ProjectDraft },
  'GET /projects': { summary: 'List projects', status: 200, query: PageQuery },
  'GET /projects/{projectKey}': { summary: 'Get a project', status: 200 },
  'POST /{projectKey}/uploads': {
    summary: 'Request a presigned upload URL for an artifact',
    status: 201,
    body: UploadDraft,
  },
  'GET /{projectKey}/uploads/{uploadId}': { summary: 'Get an upload and its state', status: 200 },
  'POST /connectors/drafts': { summary: 'Create a ConnectorStaged', status: 201, body: ConnectorStagedDraft },
  'GET /connectors/drafts': { summary: 'List ConnectorStaged', status: 200, query: ConnectorStagedQuery },
  'GET /connectors/drafts/{draftRef}': { summary: 'Get a ConnectorStaged by id or key=', status: 200 },
  'POST /connectors/drafts/{draftRef}': {
    summary: 'Update a ConnectorStaged (publish, updatePreviewable, set…)',
    status: 200,
    body: ConnectorUpdate,
  },
  'DELETE /connectors/drafts/{draftRef}': {
    summary: 'Delete a ConnectorStaged',
    status: 200,
    query: VersionQuery,
  },
  'GET /connectors/search': {
    summary: 'Search published connectors',
    status: 200,
    query: ConnectorSearchQuery,
  },
  'GET /connectors/{connectorRef}': { summary: 'Get a published connector by id or key=', status: 200 },
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

export type ApiRouteKey = keyof typeof API;

/** The schemas of a route, to spread into its `operation(…)`. */
export const schemasOf = <K extends ApiRouteKey>(key: K) => {
  const spec: OperationSpec = API[key];
  return {
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.query ? { query: spec.query } : {}),
  } as Pick<(typeof API)[K], Extract<keyof (typeof API)[K], 'body' | 'query'>>;
};
