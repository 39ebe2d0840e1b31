import { createDeployment } from '../core/deployments/create.ts';
import { getDeployment, getDeploymentLogs, listDeployments } from '../core/deployments/queries.ts';
import { getRevision, listRevisions } from '../core/deployments/revisions.ts';
import { rollbackDeployment } from '../core/deployments/rollback.ts';
import { deleteDeployment, updateDeployment } from '../core/deployments/update.ts';
import { InvalidPathParam } from '../core/shared/errors.ts';
import { parseRef } from '../core/shared/refs.ts';
import { schemasOf } from '../http/api-spec.ts';
import { DEPLOYMENTS_API } from '../http/deployments-api.ts';
import { idempotentPosts } from '../http/idempotency.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { revisionView } from '../http/revision-views.ts';
import { deploymentLogPageView, deploymentView, etag, notModified, pagedResponse } from '../http/views.ts';
import { deploymentDeps } from '../wiring/deployments.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

/** A revision number in a path: a positive integer, as Connect numbers them. */
const revisionNumber = (segment: string): number => {
  const n = Number(segment);
  if (!/^[1-9][0-9]{0,8}$/.test(segment) || !Number.isSafeInteger(n))
    throw new InvalidPathParam('revision', 'must be a revision number (1, 2, 3…)');
  return n;
};

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
      run: async ({ event, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) => {
        const d = await getDeployment(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
        );
        // A poller that names the version it holds (the web console) gets no body until it moves.
        if (notModified(event.headers['if-none-match'], d.version))
          return { statusCode: 304, headers: etag(d.version) };
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
    'GET /{projectKey}/deployments/{deploymentRef}/revisions': operation({
      ...schemasOf(DEPLOYMENTS_API, 'GET /{projectKey}/deployments/{deploymentRef}/revisions'),
      run: async ({ query, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) =>
        json(
          200,
          pagedResponse(
            query,
            await listRevisions(
              deploymentDeps,
              principal().tenant,
              projectKey,
              parseRef(deploymentRef),
              query,
            ),
            revisionView,
          ),
        ),
    }),
    'GET /{projectKey}/deployments/{deploymentRef}/revisions/{revision}': operation({
      run: async ({ pathParameters: { projectKey = '', deploymentRef = '', revision = '' }, principal }) => {
        const n = revisionNumber(revision);
        const r = await getRevision(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
          n,
        );
        return json(200, revisionView(r));
      },
    }),
    'POST /{projectKey}/deployments/{deploymentRef}/rollback': operation({
      ...schemasOf(DEPLOYMENTS_API, 'POST /{projectKey}/deployments/{deploymentRef}/rollback'),
      run: async ({ body, event, pathParameters: { projectKey = '', deploymentRef = '' }, principal }) => {
        const d = await rollbackDeployment(
          deploymentDeps,
          principal().tenant,
          projectKey,
          parseRef(deploymentRef),
          body,
          event.headers['if-match'],
        );
        // Answered like a redeploy: the Deployment, a version up, its operation started.
        return json(201, deploymentView(d), etag(d.version));
      },
    }),
  },
  [idempotentPosts()],
  pipelineDeps,
);
