/** The health, OAuth2 and document routes: what each accepts and answers (see `api-spec.ts`). */

import { TokenCheckRequest, TokenRequest } from '../core/auth/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const PLATFORM_API = {
  'GET /health': { summary: 'Health of the service and its dependencies', status: 200 },
  'POST /oauth/token': {
    summary: 'OAuth2 client credentials: a bearer token',
    status: 200,
    body: TokenRequest,
    bodyType: 'form',
  },
  'POST /oauth/revoke': {
    summary: 'RFC 7009: revoke an access token (client authentication, as for /oauth/token)',
    status: 200,
    body: TokenCheckRequest,
    bodyType: 'form',
  },
  'POST /oauth/introspect': {
    summary:
      'RFC 7662: what a token is, if it is active and of your tenant (client credentials or a bearer token)',
    status: 200,
    body: TokenCheckRequest,
    bodyType: 'form',
  },
  'GET /openapi.json': { summary: 'This document', status: 200 },
} as const satisfies Record<string, OperationSpec>;
