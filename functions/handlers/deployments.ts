import { createDeployment } from '../core/deployments/create.ts';
import { getDeployment, getDeploymentLogs, listDeployments } from '../core/deployments/queries.ts';
import { deleteDeployment, updateDeployment } from '../core/deployments/update.ts';
import { parseRef } from '../core/shared/refs.ts';
import { schemasOf } from '../http/api-spec.ts';
import { DEPLOYMENTS_API } from '../http/deployments-api.ts';
import { idempotentPosts } from '../http/idempotency.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { deploymentLogPageView, deploymentView, etag, pagedResponse } from '../http/views.ts';
import { deploymentDeps } from '../wiring/deployments.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

export const handler = apiHandler(
  {
    'POST /{projectKey}/deployments': operation({
      ...schemasOf(DEPLOYMENTS_API, 'POST /{projectKey}/deployments'),
      run: async ({ body, pathParameters: { projectKey = '' }, principal }) => {
        const d = await createDeployment(deploymentDeps, principal(), projectKey, body);
        return json(201, deploymentView(d), etag(d.version));
      },
    }),
    'GET /{projectKey}/deployments': operation({
      ...schemasOf(DEPLOYMENTS_API, 'GET /{projectKey}/deployments'),
      run: async ({ query, pathParameters: { projectKey = '' }, principal }) =>
        json(
          200,
          pagedResponse(
            query,
            await listDeployments(deploymentDeps, principal().tenant, projectKey, query),
            deploymentView,
          ),
        ),
    }),
    'GET /{projectKey}/deployments/{deploymentRef}': operation({
      run: async ({ pathParameters: { projectKey = '', deploymentRef = '' }, principal }) => {
        const d = await getDeployment(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
        );
        return json(200, deploymentView(d), etag(d.version));
      },
    }),
    'POST /{projectKey}/deployments/{deploymentRef}': operation({
      ...schemasOf(DEPLOYMENTS_API, 'POST /{projectKey}/deployments/{deploymentRef}'),
      run: async ({ body, event, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) => {
        const d = await updateDeployment(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
          body,
          event.headers['if-match'],
        );
        // A redeploy starts an operation (201, as Connect answers); a cancel ends one.
        return json(body.actions[0].action === 'cancel' ? 200 : 201, deploymentView(d), etag(d.version));
      },
    }),
    'GET /{projectKey}/deployments/{deploymentRef}/logs': operation({
      ...schemasOf(DEPLOYMENTS_API, 'GET /{projectKey}/deployments/{deploymentRef}/logs'),
      run: async ({ query, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) =>
        json(
          200,
          deploymentLogPageView(
            await getDeploymentLogs(
              deploymentDeps,
              principal().tenant,
              projectKey,
              parseRef(deploymentRef),
              query,
            ),
          ),
        ),
    }),
    'DELETE /{projectKey}/deployments/{deploymentRef}': operation({
      ...schemasOf(DEPLOYMENTS_API, 'DELETE /{projectKey}/deployments/{deploymentRef}'),
      run: async ({ event, query, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) => {
        const d = await deleteDeployment(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
          { ifMatch: event.headers['if-match'], skipScripts: query.skipScripts },
        );
        return json(202, deploymentView(d), etag(d.version));
      },
    }),
  },
  [idempotentPosts()],
  pipelineDeps,
);
