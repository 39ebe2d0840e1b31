/** The BigCommerce dialect's routes: what each accepts and answers (see `api-spec.ts`). */
import * as z from 'zod';
import { StoreDeploymentDraft } from '../core/store/deployments.ts';
import { StoreLogsQuery } from '../core/store/logs.ts';
import { StoreProjectDraft, StoreProjectsQuery } from '../core/store/projects.ts';
import type { OperationSpec } from './api-spec.ts';

const STORE = '/stores/{store_hash}/v3/infrastructure';
const PROJECTS = `${STORE}/projects`;
const DEPLOYMENTS = `${STORE}/deployments`;

export const STORE_PROJECTS_API = {
  [`GET ${PROJECTS}`]: {
    summary: "List the store's projects (cursor pagination)",
    status: 200,
    query: StoreProjectsQuery,
  },
  [`POST ${PROJECTS}`]: { summary: 'Create a project', status: 200, body: StoreProjectDraft },
  [`GET ${PROJECTS}/{project_uuid}`]: { summary: 'Get a project (Slipway)', status: 200 },
  [`GET ${STORE}/logs/{project_uuid}`]: {
    summary: "A project's logs: its hosted application's output and requests (cursor pagination)",
    status: 200,
    query: StoreLogsQuery,
  },
} as const satisfies Record<string, OperationSpec>;

export const StoreProjectsDeleteQuery = z.strictObject({ 'project_uuid:in': z.string().optional() });

export const StoreDeploymentsQuery = z.strictObject({ project_uuid: z.uuid() });

export const STORE_DEPLOYMENTS_API = {
  [`DELETE ${PROJECTS}`]: {
    summary: 'Delete projects (their site is undeployed)',
    status: 204,
    query: StoreProjectsDeleteQuery,
  },
  [`DELETE ${PROJECTS}/{project_uuid}`]: {
    summary: 'Delete a project (its site is undeployed)',
    status: 204,
  },
  [`POST ${DEPLOYMENTS}`]: {
    summary: "Deploy an upload to a project's address",
    status: 200,
    body: StoreDeploymentDraft,
  },
  [`GET ${DEPLOYMENTS}`]: {
    summary: "List a project's deployments, newest first (Slipway)",
    status: 200,
    query: StoreDeploymentsQuery,
  },
  [`GET ${DEPLOYMENTS}/{deployment_uuid}`]: {
    summary: 'Get a deployment: status, steps, address, error code and message (Slipway)',
    status: 200,
  },
  [`POST ${DEPLOYMENTS}/{deployment_uuid}/promote`]: {
    summary:
      "Serve an earlier completed deployment at its project's address again, without a rebuild while its build is kept (Slipway)",
    status: 200,
  },
} as const satisfies Record<string, OperationSpec>;

export const STORE_UPLOADS_API = {
  [`POST ${DEPLOYMENTS}/uploads`]: { summary: 'Generate an upload signature', status: 200 },
} as const satisfies Record<string, OperationSpec>;

export const STORE_STREAMS_API = {
  [`GET ${DEPLOYMENTS}/{deployment_uuid}/events`]: {
    summary:
      "A deployment's events (Server-Sent Events): its state, each step, then the outcome; closes after 30 s (reconnect with Last-Event-ID)",
    status: 200,
  },
  [`GET ${STORE}/logs/{project_uuid}/tail`]: {
    summary: "A project's live logs (Server-Sent Events); keep-alive every 15 s, closes after 60 s",
    status: 200,
  },
} as const satisfies Record<string, OperationSpec>;
