import { createProject, getProject, listProjects } from '../core/projects/projects.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { PROJECTS_API } from '../http/projects-api.ts';
import { json } from '../http/responses.ts';
import { pagedResponse, projectView } from '../http/views.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';
import { deps } from '../wiring/shared.ts';

export const handler = apiHandler(
  {
    'POST /projects': operation({
      ...schemasOf(PROJECTS_API, 'POST /projects'),
      run: async ({ body, principal }) =>
        json(201, projectView(await createProject(deps, principal().tenant, body))),
    }),
    'GET /projects': operation({
      ...schemasOf(PROJECTS_API, 'GET /projects'),
      run: async ({ query, principal }) =>
        json(200, pagedResponse(query, await listProjects(deps, principal().tenant, query), projectView)),
    }),
    'GET /projects/{projectKey}': operation({
      run: async ({ pathParameters, principal }) =>
        json(200, projectView(await getProject(deps, principal().tenant, pathParameters.projectKey ?? ''))),
    }),
  },
  [],
  pipelineDeps,
);
