/** The BigCommerce dialect's routes: what each accepts and answers (see `api-spec.ts`). */
import { StoreProjectDraft, StoreProjectsQuery } from '../core/store-projects.ts';
import type { OperationSpec } from './api-spec.ts';

const PROJECTS = '/stores/{store_hash}/v3/infrastructure/projects';

export const STORE_PROJECTS_API = {
  [`GET ${PROJECTS}`]: {
    summary: "List the store's projects (cursor pagination)",
    status: 200,
    query: StoreProjectsQuery,
  },
  [`POST ${PROJECTS}`]: { summary: 'Create a project', status: 200, body: StoreProjectDraft },
  [`GET ${PROJECTS}/{project_uuid}`]: { summary: 'Get a project (Slipway)', status: 200 },
} as const satisfies Record<string, OperationSpec>;
