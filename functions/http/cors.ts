/**
 * Cross-origin requests (CORS), off unless origins are configured: a browser console served
 * from another origin may then call the API with its token. One policy, two enforcers: the
 * local gateway applies `corsHeaders` itself; on AWS the HTTP API's CORS configuration and the
 * function URLs' are made from the same lists (infra/stateless-stack.ts), so both answer a
 * preflight before any authorizer or handler runs, as API Gateway does.
 *
 * Only listed origins are answered (no credentials mode: tokens travel in headers, not
 * cookies); `*` allows any origin, for a public console.
 */

export const CORS_ALLOW_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** What the two dialects' clients send beyond the CORS-safelisted headers. */
export const CORS_ALLOW_HEADERS = [
  'authorization',
  'content-type',
  'idempotency-key',
  'if-match',
  'if-none-match',
  'last-event-id',
  'x-auth-token',
] as const;

/** What a script may read of an answer beyond the safelisted headers. */
export const CORS_EXPOSE_HEADERS = [
  'etag',
  'location',
  'retry-after',
  'idempotent-replayed',
  // The rate limits' (http/rate-limit.ts), so a console can slow down before it is refused.
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
] as const;

/** How long a browser may keep a preflight's answer. */
export const CORS_MAX_AGE_SECONDS = 600;

const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/;

/**
 * The allowed origins from a comma-separated list (`SLIPWAY_CORS_ORIGINS`, or the CDK context
 * value `corsOrigins`): empty when unset, which turns CORS off. Each entry is an origin as
 * browsers send it (`https://console.example.com`, `http://localhost:5173`), or `*`.
 */
export const parseCorsOrigins = (value: string | undefined): string[] => {
  const origins = (value ?? '')
    .split(',')
    .map((entry) => entry.trim().replace(/\/+$/, '').toLowerCase())
    .filter((entry) => entry !== '');
  for (const origin of origins)
    if (origin !== '*' && !ORIGIN.test(origin))
      throw new Error(
        `CORS origins: '${origin}' is not an origin (scheme://host[:port], e.g. https://console.example.com) or *`,
      );
  return [...new Set(origins)];
};

export interface CorsAnswer {
  /** A preflight (`OPTIONS` with `Access-Control-Request-Method`): answer 204 with `headers` and stop. */
  preflight: boolean;
  headers: Record<string, string>;
}

/**
 * What to add to the answer to a request from `origin`, or undefined when the request is not
 * cross-origin or its origin is not allowed (the browser then refuses to hand the answer over).
 */
export const corsHeaders = (
  allowed: readonly string[],
  request: { method: string; origin?: string; requestMethod?: string },
): CorsAnswer | undefined => {
  const origin = request.origin?.trim();
  if (!origin || allowed.length === 0) return undefined;
  const any = allowed.includes('*');
  if (!any && !allowed.includes(origin.toLowerCase())) return undefined;
  const headers: Record<string, string> = {
    'access-control-allow-origin': any ? '*' : origin,
    vary: 'Origin',
  };
  const preflight = request.method === 'OPTIONS' && request.requestMethod !== undefined;
  if (preflight) {
    headers['access-control-allow-methods'] = CORS_ALLOW_METHODS.join(', ');
    headers['access-control-allow-headers'] = CORS_ALLOW_HEADERS.join(', ');
    headers['access-control-max-age'] = String(CORS_MAX_AGE_SECONDS);
  } else {
    headers['access-control-expose-headers'] = CORS_EXPOSE_HEADERS.join(', ');
  }
  return { preflight, headers };
};
