/** Credentials as resources, in each dialect (see `api-spec.ts`): API clients and store tokens. */
import { ApiClientDraft, StoreTokenDraft } from '../core/auth/schemas.ts';
import { PageQuery } from '../core/shared/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

const ACCESS_TOKENS = '/stores/{store_hash}/v3/infrastructure/access-tokens';

export const CREDENTIALS_API = {
  'POST /api-clients': {
    summary: 'Create an API client (its secret is in this response only)',
    status: 201,
    body: ApiClientDraft,
  },
  'GET /api-clients': { summary: "List the tenant's API clients", status: 200, query: PageQuery },
  'GET /api-clients/{clientId}': { summary: 'Get an API client', status: 200 },
  'DELETE /api-clients/{clientId}': {
    summary: 'Delete an API client: every token it was issued stops working',
    status: 200,
  },
  [`POST ${ACCESS_TOKENS}`]: {
    summary: 'Create a store access token (X-Auth-Token; the token is in this response only)',
    status: 200,
    body: StoreTokenDraft,
  },
  [`GET ${ACCESS_TOKENS}`]: { summary: "List the store's access tokens (never the tokens)", status: 200 },
  [`DELETE ${ACCESS_TOKENS}/{token_id}`]: {
    summary: 'Revoke a store access token',
    status: 204,
  },
} as const satisfies Record<string, OperationSpec>;
