/** The projects' routes: what each accepts and answers (see `api-spec.ts`). */
import { ProjectDraft } from '../core/projects/schemas.ts';
import { PageQuery } from '../core/shared/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const PROJECTS_API = {
  'POST /projects': { summary: 'Create a project', status: 201, body: ProjectDraft },
  'GET /projects': { summary: 'List projects', status: 200, query: PageQuery },
  'GET /projects/{projectKey}': { summary: 'Get a project', status: 200 },
} as const satisfies Record<string, OperationSpec>;
