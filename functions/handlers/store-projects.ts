import { assertStoreUuid } from '../core/store/deployment-states.ts';
import { listStoreLogs } from '../core/store/logs.ts';
import {
  createStoreProject,
  getStoreProject,
  listStoreProjects,
  servedProjects,
} from '../core/store/projects.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { STORE_PROJECTS_API } from '../http/store-api.ts';
import { publicHost, storeData, storeProjectView } from '../http/views.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';
import { deps, logDeps } from '../wiring/store-projects.ts';

const BASE = '/stores/{store_hash}/v3/infrastructure/projects';
const LOGS = '/stores/{store_hash}/v3/infrastructure/logs/{project_uuid}';

/** The BigCommerce Infrastructure Hosting API's projects (and Slipway's GET of one). */
export const handler = apiHandler(
  {
    [`GET ${BASE}`]: operation({
      ...schemasOf(STORE_PROJECTS_API, `GET ${BASE}`),
      run: async ({ event, query, principal }) => {
        const { projects, pagination } = await listStoreProjects(deps, principal().tenant, query);
        const served = await servedProjects(logDeps, projects);
        const host = publicHost(event.headers);
        const views = projects.map((p) => storeProjectView(p, served.has(p.id) ? [host] : []));
        return json(200, storeData(views, { cursor_pagination: pagination }));
      },
    }),
    // BigCommerce answers a created project with 200, not 201.
    [`POST ${BASE}`]: operation({
      ...schemasOf(STORE_PROJECTS_API, `POST ${BASE}`),
      run: async ({ body, principal }) =>
        json(200, storeData(storeProjectView(await createStoreProject(deps, principal().tenant, body), []))),
    }),
    [`GET ${BASE}/{project_uuid}`]: operation({
      run: async ({ event, pathParameters, principal }) => {
        const project = await getStoreProject(deps, principal().tenant, pathParameters.project_uuid ?? '');
        const served = await servedProjects(logDeps, [project]);
        return json(
          200,
          storeData(storeProjectView(project, served.size ? [publicHost(event.headers)] : [])),
        );
      },
    }),
    [`GET ${LOGS}`]: operation({
      ...schemasOf(STORE_PROJECTS_API, `GET ${LOGS}`),
      run: async ({ pathParameters, query, principal }) => {
        const uuid = assertStoreUuid(pathParameters.project_uuid, 'project_uuid');
        const { data, pagination } = await listStoreLogs(logDeps, principal().tenant, uuid, query);
        return json(200, storeData(data, { cursor_pagination: pagination }));
      },
    }),
  },
  [],
  pipelineDeps,
);
