import {
  createClientFor,
  createStoreTokenFor,
  deleteClientOf,
  deleteStoreTokenOf,
  getClientOf,
  listClientsOf,
  listStoreTokensOf,
} from '../core/auth/clients.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiClientView, storeTokenView } from '../http/credential-views.ts';
import { CREDENTIALS_API } from '../http/credentials-api.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { pagedResponse, storeData } from '../http/views.ts';
import { credentialDeps as deps } from '../wiring/credentials.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

const ACCESS_TOKENS = '/stores/{store_hash}/v3/infrastructure/access-tokens';
/** What made a secret must not be kept by a cache on the way back. */
const NO_STORE = { 'cache-control': 'no-store' };

export const handler = apiHandler(
  {
    'POST /api-clients': operation({
      ...schemasOf(CREDENTIALS_API, 'POST /api-clients'),
      run: async ({ body, principal }) => {
        const { client, secret } = await createClientFor(deps, principal(), body);
        return json(201, apiClientView(client, secret), NO_STORE);
      },
    }),
    'GET /api-clients': operation({
      ...schemasOf(CREDENTIALS_API, 'GET /api-clients'),
      run: async ({ query, principal }) =>
        json(
          200,
          pagedResponse(query, await listClientsOf(deps, principal(), query), (c) => apiClientView(c)),
        ),
    }),
    'GET /api-clients/{clientId}': operation({
      run: async ({ pathParameters, principal }) =>
        json(200, apiClientView(await getClientOf(deps, principal(), pathParameters.clientId ?? ''))),
    }),
    'DELETE /api-clients/{clientId}': operation({
      run: async ({ pathParameters, principal }) =>
        json(200, apiClientView(await deleteClientOf(deps, principal(), pathParameters.clientId ?? ''))),
    }),
    [`POST ${ACCESS_TOKENS}`]: operation({
      ...schemasOf(CREDENTIALS_API, `POST ${ACCESS_TOKENS}`),
      run: async ({ body, principal }) => {
        const { stored, token } = await createStoreTokenFor(deps, principal(), body);
        return json(200, storeData(storeTokenView(stored, token)), NO_STORE);
      },
    }),
    [`GET ${ACCESS_TOKENS}`]: operation({
      run: async ({ principal }) => {
        const tokens = await listStoreTokensOf(deps, principal());
        return json(
          200,
          storeData(
            tokens.map((t) => storeTokenView(t)),
            { total: tokens.length },
          ),
        );
      },
    }),
    [`DELETE ${ACCESS_TOKENS}/{token_id}`]: operation({
      run: async ({ pathParameters, principal }) => {
        await deleteStoreTokenOf(deps, principal(), pathParameters.token_id ?? '');
        return { statusCode: 204 };
      },
    }),
  },
  [],
  pipelineDeps,
);
