import {
  createConnectorDraft,
  deleteConnectorDraft,
  getConnector,
  getSettledConnectorDraft,
  listConnectorDrafts,
  searchConnectors,
  updateConnectorDraft,
} from '../core/connectors/registry.ts';
import { parseRef } from '../core/shared/refs.ts';
import { schemasOf } from '../http/api-spec.ts';
import { CONNECTORS_API } from '../http/connectors-api.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { connectorStagedView, connectorView, pagedResponse } from '../http/views.ts';
import { connectorDeps } from '../wiring/connectors.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

export const handler = apiHandler(
  {
    'POST /connectors/drafts': operation({
      ...schemasOf(CONNECTORS_API, 'POST /connectors/drafts'),
      run: async ({ body, principal }) =>
        json(201, connectorStagedView(await createConnectorDraft(connectorDeps, principal(), body))),
    }),
    'GET /connectors/drafts': operation({
      ...schemasOf(CONNECTORS_API, 'GET /connectors/drafts'),
      run: async ({ query, principal }) =>
        json(
          200,
          pagedResponse(
            query,
            await listConnectorDrafts(connectorDeps, principal().tenant, query),
            connectorStagedView,
          ),
        ),
    }),
    'GET /connectors/drafts/{draftRef}': operation({
      run: async ({ pathParameters: { draftRef = '' }, principal }) =>
        json(
          200,
          connectorStagedView(
            await getSettledConnectorDraft(connectorDeps, principal().tenant, parseRef(draftRef)),
          ),
        ),
    }),
    'POST /connectors/drafts/{draftRef}': operation({
      ...schemasOf(CONNECTORS_API, 'POST /connectors/drafts/{draftRef}'),
      run: async ({ body, pathParameters: { draftRef = '' }, principal }) =>
        json(
          200,
          connectorStagedView(
            await updateConnectorDraft(connectorDeps, principal(), parseRef(draftRef), body),
          ),
        ),
    }),
    'DELETE /connectors/drafts/{draftRef}': operation({
      ...schemasOf(CONNECTORS_API, 'DELETE /connectors/drafts/{draftRef}'),
      run: async ({ query, pathParameters: { draftRef = '' }, principal }) =>
        json(
          200,
          connectorStagedView(
            await deleteConnectorDraft(connectorDeps, principal().tenant, parseRef(draftRef), query.version),
          ),
        ),
    }),
    'GET /connectors/search': operation({
      ...schemasOf(CONNECTORS_API, 'GET /connectors/search'),
      run: async ({ query, principal }) => {
        const { tenant } = principal();
        const page = await searchConnectors(connectorDeps, tenant, query);
        return json(
          200,
          pagedResponse(query, page, (c) => connectorView(c, tenant)),
        );
      },
    }),
    'GET /connectors/{connectorRef}': operation({
      run: async ({ pathParameters: { connectorRef = '' }, principal }) => {
        const { tenant } = principal();
        const connector = await getConnector(connectorDeps, tenant, parseRef(connectorRef));
        return json(200, connectorView(connector, tenant));
      },
    }),
  },
  [],
  pipelineDeps,
);
