/**
 * What each route accepts and answers, for the OpenAPI document: the same zod schemas the
 * handlers validate with (handlers spread their entry into `operation(…)`, so the two cannot
 * drift apart), a summary, and the success status. Routes without a body or query need no
 * schema here, only their summary. The connectors' and deployments' groups are in their own
 * modules (`connectors-api.ts`, `deployments-api.ts`) so other bundles do not hold their schemas.
 */
import type * as z from 'zod';
import { TokenRequest } from '../core/auth/schemas.ts';
import { ProjectDraft } from '../core/projects/schemas.ts';
import { PageQuery } from '../core/shared/schemas.ts';
import { UploadDraft } from '../core/uploads/schemas.ts';

export interface OperationSpec {
  summary: string;
  /** The success status (errors are described once, for every route). */
  status: number;
  body?: z.ZodType;
  /** `form` for OAuth2's urlencoded body; JSON otherwise. */
  bodyType?: 'form';
  query?: z.ZodType;
  /** The success response's JSON body, where a client depends on its exact shape. */
  response?: z.ZodType;
}

// One object per function, so a bundle holds only its own routes' schemas (see schemas.ts).
export const PLATFORM_API = {
  'GET /health': { summary: 'Health of the service and its dependencies', status: 200 },
  'POST /oauth/token': {
    summary: 'OAuth2 client credentials: a bearer token',
    status: 200,
    body: TokenRequest,
    bodyType: 'form',
  },
  'GET /openapi.json': { summary: 'This document', status: 200 },
} as const satisfies Record<string, OperationSpec>;

export const PROJECTS_API = {
  'POST /projects': { summary: 'Create a project', status: 201, body: ProjectDraft },
  'GET /projects': { summary: 'List projects', status: 200, query: PageQuery },
  'GET /projects/{projectKey}': { summary: 'Get a project', status: 200 },
} as const satisfies Record<string, OperationSpec>;

export const UPLOADS_API = {
  'POST /{projectKey}/uploads': {
    summary: 'Request a presigned upload URL for an artifact',
    status: 201,
    body: UploadDraft,
  },
  'GET /{projectKey}/uploads/{uploadId}': { summary: 'Get an upload and its state', status: 200 },
} as const satisfies Record<string, OperationSpec>;

/** The schemas of one of a group's routes, to spread into its `operation(…)`. */
export const schemasOf = <G extends Record<string, OperationSpec>, K extends keyof G & string>(
  group: G,
  key: K,
) => {
  const spec: OperationSpec = group[key] as OperationSpec;
  return {
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.query ? { query: spec.query } : {}),
  } as Pick<G[K], Extract<keyof G[K], 'body' | 'query'>>;
};
