import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../../cli/api/schema.d.ts';
import { errorWords, NETWORK_WORDS } from '../logic/errors.ts';
import type { Introspection } from './types.ts';

/** An answer the API refused, with what it said in words. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

let token: string | undefined;
let onSignedOut: (reason: string) => void = () => undefined;

/** The bearer token every request carries; undefined when signed out. */
export const authorize = (value: string | undefined): void => {
  token = value;
};

/** Called when the API refuses the token (401): the console signs out and says why. */
export const whenSignedOut = (callback: (reason: string) => void): void => {
  onSignedOut = callback;
};

const auth: Middleware = {
  onRequest({ request }) {
    if (token && !request.headers.has('authorization'))
      request.headers.set('authorization', `Bearer ${token}`);
    return request;
  },
};

/**
 * `key=<key>` references stay readable: the API takes a deployment or connector by `key=…` in
 * the path, and `=` needs no escaping there.
 */
const pathSerializer = (path: string, params: Record<string, unknown>): string =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(String(params[name] ?? '')).replace(/%3D/g, '='),
  );

/** The typed client of the public API, generated from /openapi.json (cli/api/schema.d.ts). */
export const api = createClient<paths>({ baseUrl: location.origin, pathSerializer });
api.use(auth);

interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}

/**
 * The body of a successful answer as `T`, or an ApiError in words. The document types the
 * requests; most answers it describes by status only, so their shapes are the console's own
 * (`types.ts`).
 */
export const read = async <T>(request: Promise<Answer>): Promise<T> => {
  let answer: Answer;
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, NETWORK_WORDS);
  }
  const { response } = answer;
  if (response.ok) return answer.data as T;
  const body = answer.error;
  const first = (body as { errors?: { code?: unknown }[] } | undefined)?.errors?.[0]?.code;
  const error = new ApiError(
    response.status,
    errorWords(response.status, body),
    typeof first === 'string' ? first : undefined,
  );
  if (response.status === 401 && token) onSignedOut(error.message);
  throw error;
};

/** A representation and the `ETag` it came with. */
export interface Tagged<T> {
  data: T;
  etag?: string;
}

/**
 * A conditional read: `previous` is kept when the API answers 304 to the `If-None-Match` the
 * request sent (its version has not moved), so a poller receives no body until something changed.
 */
export const readTagged = async <T>(request: Promise<Answer>, previous?: Tagged<T>): Promise<Tagged<T>> => {
  let answer: Answer;
  try {
    answer = await request;
  } catch {
    throw new ApiError(0, NETWORK_WORDS);
  }
  if (answer.response.status === 304 && previous) return previous;
  const data = await read<T>(Promise.resolve(answer));
  const etag = answer.response.headers.get('etag') ?? undefined;
  return etag ? { data, etag } : { data };
};

const form = (body: Record<string, string | undefined>): string =>
  new URLSearchParams(
    Object.entries(body).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** Client credentials for a token (`POST /oauth/token`). */
export const tokenFor = async (
  clientId: string,
  secret: string,
): Promise<{ access_token: string; scope?: string }> => {
  try {
    return await read(
      api.POST('/oauth/token', {
        body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
        bodySerializer: form,
        headers: FORM,
      }),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 401)
      throw new ApiError(401, 'The client id or secret is not right.');
    throw error;
  }
};

/** What the API says of a token: whether it is live, its scopes and tenant (RFC 7662). */
export const introspect = (bearer: string): Promise<Introspection> =>
  read(
    api.POST('/oauth/introspect', {
      body: { token: bearer },
      bodySerializer: form,
      headers: { ...FORM, authorization: `Bearer ${bearer}` },
    }),
  );
