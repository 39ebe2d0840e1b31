import type * as z from 'zod';
import { config } from '../config.ts';
import { issueAccessToken, verifyBearer, verifyClient } from '../core/auth/access.ts';
import { AuthenticationError, InvalidClient, UnsupportedGrantType } from '../core/auth/errors.ts';
import type { ApiClient } from '../core/auth/ports.ts';
import type { Principal } from '../core/auth/principal.ts';
import { TokenCheckRequest, TokenRequest } from '../core/auth/schemas.ts';
import { introspectToken, revokeToken } from '../core/auth/token-checks.ts';
import { UnsupportedMediaType } from '../core/shared/errors.ts';
import { type ApiEvent, apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { parseInput } from '../http/validation.ts';
import { authDeps as deps } from '../wiring/auth.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

const FORM = 'application/x-www-form-urlencoded';

const formBody = <T>(event: ApiEvent, schema: z.ZodType<T>): T => {
  const contentType = event.headers['content-type'];
  if (!contentType?.startsWith(FORM)) throw new UnsupportedMediaType(FORM, contentType);
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  return parseInput(schema, Object.fromEntries(new URLSearchParams(raw)), 'body');
};

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** A client that authenticated itself here, as the audit trail names callers. */
const callerOf = (client: ApiClient): Principal => ({
  kind: 'client',
  subject: client.clientId,
  tenant: client.tenant,
  scopes: client.scopes,
});

/**
 * RFC 7662 §2.1 lets the protected resource authenticate either way: its client credentials,
 * or a bearer token of its own. Either way, only tokens of its own tenant are described.
 */
const introspectingCaller = async (
  event: ApiEvent,
  form: { client_id?: string; client_secret?: string },
): Promise<Principal> => {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(event.headers.authorization ?? '')?.[1];
  if (bearer === undefined) return callerOf(await verifyClient(deps, clientCredentials(event, form)));
  try {
    const token = await verifyBearer(deps, bearer);
    return { kind: 'client', subject: token.clientId, tenant: token.tenant, scopes: token.scopes };
  } catch (error) {
    if (error instanceof AuthenticationError) throw new InvalidClient();
    throw error;
  }
};

/** RFC 6749 §2.3.1: HTTP Basic with form-encoded id and secret; body parameters are the fallback. */
const clientCredentials = (event: ApiEvent, form: { client_id?: string; client_secret?: string }) => {
  const header = event.headers.authorization;
  if (header?.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new InvalidClient();
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon)),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
      };
    } catch {
      throw new InvalidClient();
    }
  }
  if (form.client_id && form.client_secret)
    return { clientId: form.client_id, clientSecret: form.client_secret };
  throw new InvalidClient();
};

export const handler = apiHandler(
  {
    'POST /oauth/token': operation({
      run: async ({ event, attribute }) => {
        const form = formBody(event, TokenRequest);
        if (form.grant_type !== 'client_credentials') throw new UnsupportedGrantType(form.grant_type);
        const token = await issueAccessToken(
          { ...deps, ttlSeconds: config.tokenTtlSeconds },
          { ...clientCredentials(event, form), requestedScope: form.scope },
          (client) => attribute(callerOf(client)),
        );
        return json(200, token, NO_STORE);
      },
    }),
    'POST /oauth/revoke': operation({
      run: async ({ event, attribute }) => {
        const form = formBody(event, TokenCheckRequest);
        const caller = await verifyClient(deps, clientCredentials(event, form));
        attribute(callerOf(caller));
        await revokeToken(deps, caller, form.token);
        return { statusCode: 200, headers: NO_STORE };
      },
    }),
    'POST /oauth/introspect': operation({
      run: async ({ event, attribute }) => {
        const form = formBody(event, TokenCheckRequest);
        const caller = await introspectingCaller(event, form);
        attribute(caller);
        return json(200, await introspectToken(deps, caller.tenant, form.token), NO_STORE);
      },
    }),
  },
  [],
  // Public routes: nothing to count against a credential, but each call is on the trail.
  { audit: pipelineDeps.audit },
);
