import { assertStoreUuid } from '../core/store/deployment-states.ts';
import {
  createStoreDeployment,
  deleteStoreProject,
  deleteStoreProjects,
  getStoreDeployment,
  listStoreDeployments,
} from '../core/store/deployments.ts';
import { promoteStoreDeployment } from '../core/store/promote.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { STORE_DEPLOYMENTS_API } from '../http/store-api.ts';
import { publicBaseUrl, storeData, storeDeploymentView } from '../http/views.ts';
import { deploymentDeps as deps } from '../wiring/deployments.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

const STORE = '/stores/{store_hash}/v3/infrastructure';
const noContent = () => ({ statusCode: 204 });

/** The BigCommerce dialect's deployments, and project deletion (which undeploys). */
export const handler = apiHandler(
  {
    [`DELETE ${STORE}/projects`]: operation({
      ...schemasOf(STORE_DEPLOYMENTS_API, `DELETE ${STORE}/projects`),
      run: async ({ query, principal }) => {
        await deleteStoreProjects(deps, principal().tenant, query['project_uuid:in']);
        return noContent();
      },
    }),
    [`DELETE ${STORE}/projects/{project_uuid}`]: operation({
      run: async ({ pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.project_uuid, 'project_uuid');
        await deleteStoreProject(deps, principal().tenant, uuid);
        return noContent();
      },
    }),
    // BigCommerce answers a created deployment with 200 and its uuid alone.
    [`POST ${STORE}/deployments`]: operation({
      ...schemasOf(STORE_DEPLOYMENTS_API, `POST ${STORE}/deployments`),
      run: async ({ body, principal }) => {
        const d = await createStoreDeployment(deps, principal(), body);
        return json(200, storeData({ deployment_uuid: d.id }));
      },
    }),
    [`GET ${STORE}/deployments`]: operation({
      ...schemasOf(STORE_DEPLOYMENTS_API, `GET ${STORE}/deployments`),
      run: async ({ event, query, principal }) => {
        const list = await listStoreDeployments(deps, principal().tenant, query.project_uuid);
        const base = publicBaseUrl(event.headers);
        const views = await Promise.all(
          list.map(async (d) => storeDeploymentView(d, await deps.events.list(d.id), base)),
        );
        return json(200, storeData(views));
      },
    }),
    [`GET ${STORE}/deployments/{deployment_uuid}`]: operation({
      run: async ({ event, pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.deployment_uuid, 'deploymentUuid');
        const d = await getStoreDeployment(deps, principal().tenant, uuid);
        return json(
          200,
          storeData(storeDeploymentView(d, await deps.events.list(d.id), publicBaseUrl(event.headers))),
        );
      },
    }),
    // Answered with the deployment as GET shows it: queued again, to serve the address once it answers.
    [`POST ${STORE}/deployments/{deployment_uuid}/promote`]: operation({
      run: async ({ event, pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.deployment_uuid, 'deploymentUuid');
        const d = await promoteStoreDeployment(deps, principal().tenant, uuid);
        return json(
          200,
          storeData(storeDeploymentView(d, await deps.events.list(d.id), publicBaseUrl(event.headers))),
        );
      },
    }),
  },
  [],
  pipelineDeps,
);
