import { config } from '../config.ts';
import { issueAccessToken } from '../core/auth/access.ts';
import { InvalidClient, UnsupportedGrantType } from '../core/auth/errors.ts';
import { TokenRequest } from '../core/auth/schemas.ts';
import { UnsupportedMediaType } from '../core/shared/errors.ts';
import { type ApiEvent, apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { parseInput } from '../http/validation.ts';
import { authDeps as deps } from '../wiring/auth.ts';

const FORM = 'application/x-www-form-urlencoded';

const formBody = (event: ApiEvent) => {
  const contentType = event.headers['content-type'];
  if (!contentType?.startsWith(FORM)) throw new UnsupportedMediaType(FORM, contentType);
  const raw = event.isBase64Encoded
    ? Buffer.from(event.body ?? '', 'base64').toString('utf8')
    : (event.body ?? '');
  return parseInput(TokenRequest, Object.fromEntries(new URLSearchParams(raw)), 'body');
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

export const handler = apiHandler({
  'POST /oauth/token': operation({
    run: async ({ event }) => {
      const form = formBody(event);
      if (form.grant_type !== 'client_credentials') throw new UnsupportedGrantType(form.grant_type);
      const token = await issueAccessToken(
        { ...deps, ttlSeconds: config.tokenTtlSeconds },
        { ...clientCredentials(event, form), requestedScope: form.scope },
      );
      return json(200, token, { 'cache-control': 'no-store', pragma: 'no-cache' });
    },
  }),
});
