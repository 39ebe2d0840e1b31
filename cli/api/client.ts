/**
 * The typed API client: openapi-fetch over the paths generated from the server's own
 * /openapi.json (`schema.d.ts`), so a request the API does not accept does not compile. It
 * adds the credential and a user agent, waits and retries once when the server says
 * `Retry-After` (429, 503), and turns error answers and unreachable servers into CliErrors.
 */
import createClient, { type Client } from 'openapi-fetch';
import { apiError, CliError, EXIT } from '../errors.ts';
import type { paths } from './schema.d.ts';

export type Api = Client<paths>;

export interface Credential {
  /** `Authorization: Bearer` (the Connect dialect and Slipway's own routes). */
  bearer?: string;
  /** `X-Auth-Token` (the BigCommerce dialect). */
  storeToken?: string;
}

/** The longest `Retry-After` worth waiting for in a terminal; longer, and the error is shown. */
const MAX_RETRY_AFTER_SECONDS = 10;

const unreachable = (url: string, error: unknown) => {
  const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
  return new CliError(
    `Cannot reach ${url} (${cause}).`,
    EXIT.failed,
    'Is the server running? Check SLIPWAY_URL, or slipway login --url <url>.',
  );
};

/** fetch, with one wait-and-retry when the server answers 429 or 503 with a short Retry-After. */
export const fetchWithRetry =
  (baseUrl: string) =>
  async (request: Request): Promise<Response> => {
    const attempt = (r: Request) =>
      fetch(r).catch((error: unknown) => Promise.reject(unreachable(baseUrl, error)));
    // A body can be read once: keep a copy for the retry.
    const retry = request.clone();
    const response = await attempt(request);
    const after = Number(response.headers.get('retry-after'));
    if ((response.status !== 429 && response.status !== 503) || !(after <= MAX_RETRY_AFTER_SECONDS))
      return response;
    await new Promise((resolve) => setTimeout(resolve, after * 1000));
    return attempt(retry);
  };

export const createApi = (baseUrl: string, credential: Credential, userAgent: string): Api => {
  const api = createClient<paths>({ baseUrl: baseUrl.replace(/\/+$/, ''), fetch: fetchWithRetry(baseUrl) });
  api.use({
    onRequest: ({ request }) => {
      request.headers.set('user-agent', userAgent);
      if (credential.bearer) request.headers.set('authorization', `Bearer ${credential.bearer}`);
      if (credential.storeToken) request.headers.set('x-auth-token', credential.storeToken);
      return request;
    },
  });
  return api;
};

/**
 * The body of a successful answer as `T`, or the ApiError of an error answer. The document
 * describes request bodies, parameters and error envelopes; success bodies are read as the
 * API's own objects (`types.ts`).
 */
export const unwrap = async <T>(
  call: Promise<{ data?: unknown; error?: unknown; response: Response }>,
  hints: Partial<Record<number, string>> = {},
): Promise<T> => {
  const { data, error, response } = await call;
  if (!response.ok) throw apiError(response.status, error, hints[response.status]);
  return data as T;
};

/** Encodes a form body (`POST /oauth/…`), which openapi-fetch sends as JSON unless told. */
export const formBody = (body: Record<string, string | undefined>): string =>
  new URLSearchParams(
    Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

/** A bearer token by OAuth2 client credentials (`POST /oauth/token`), and when it expires. */
export const clientCredentialsToken = async (
  api: Api,
  clientId: string,
  clientSecret: string,
): Promise<{ token: string; expiresAt: Date; scope: string }> => {
  const answer = await unwrap<{ access_token: string; expires_in: number; scope: string }>(
    api.POST('/oauth/token', {
      body: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      bodySerializer: formBody,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    }),
    {
      400: 'Check the client id and secret (npm start prints the admin client’s).',
      401: 'Check the client id and secret (npm start prints the admin client’s).',
    },
  );
  return {
    token: answer.access_token,
    expiresAt: new Date(Date.now() + answer.expires_in * 1000),
    scope: answer.scope,
  };
};
