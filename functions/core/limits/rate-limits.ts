/**
 * Rate limits: each request of an authenticated caller is counted twice in its tenant's
 * current window, once for its credential and once for the tenant, and refused (429) when
 * either count is over its limit. A window is fixed: it starts with the first request after
 * the previous window ended and lasts `windowSeconds`, so a client may send up to twice a
 * limit across a window's end, never more. The counter (a port) is one DynamoDB item per
 * tenant, on AWS and under `npm start` alike.
 *
 * What a client is told follows draft-ietf-httpapi-ratelimit-headers-06: `RateLimit-Limit`,
 * `RateLimit-Remaining` and `RateLimit-Reset` describe the policy closest to exhaustion,
 * `RateLimit-Policy` lists both; a refusal adds `Retry-After` (the seconds left in the window).
 */
import type { Clock } from '../shared/clock.ts';
import { effectiveLimits, type TenantLimits, type TenantLimitsSource } from './limits.ts';

/** A request's counts in its window, this request included. */
export interface RateCount {
  tenant: number;
  credential: number;
  /** When the window ends, in epoch milliseconds. */
  windowEndsAt: number;
}

export interface RateCounter {
  /**
   * Counts one request of `credential` in its tenant's current window; when that window has
   * ended (or there is none), a new one of `windowSeconds` starts at `now` with this request.
   */
  hit(request: {
    tenant: string;
    credential: string;
    now: number;
    windowSeconds: number;
    /** A credential at this count is refused without counting: it must not use up its tenant's allowance. */
    credentialLimit: number;
  }): Promise<RateCount>;
}

export type RateScope = 'credential' | 'tenant';

export interface RateDecision {
  allowed: boolean;
  /** The policy the figures below describe: the one refused, else the one with fewer requests left. */
  scope: RateScope;
  limit: number;
  remaining: number;
  /** Whole seconds until the window ends, at least 1 (`RateLimit-Reset`, and `Retry-After` when refused). */
  resetSeconds: number;
  windowSeconds: number;
  /** Both limits, for `RateLimit-Policy`. */
  limits: Record<RateScope, number>;
}

/** Whole seconds from `now` until `endsAt` (epoch ms), rounded up and never below 1. */
export const secondsUntil = (endsAt: number, now: number): number =>
  Math.max(1, Math.ceil((endsAt - now) / 1000));

/** When a window that starts at `now` ends (the counter starts one when the last has ended). */
export const windowEnd = (now: number, windowSeconds: number): number => now + windowSeconds * 1000;

type Limits = Pick<TenantLimits, 'windowSeconds' | 'credentialRequests' | 'tenantRequests'>;

/** The answer to one counted request. */
export const decide = (limits: Limits, count: RateCount, now: number): RateDecision => {
  const policies = [
    { scope: 'credential' as const, limit: limits.credentialRequests, used: count.credential },
    { scope: 'tenant' as const, limit: limits.tenantRequests, used: count.tenant },
  ];
  const left = (p: (typeof policies)[number]) => Math.max(0, p.limit - p.used);
  const [credential, tenant] = policies as [(typeof policies)[number], (typeof policies)[number]];
  const refused = policies.find((p) => p.used > p.limit);
  const shown = refused ?? (left(tenant) < left(credential) ? tenant : credential);
  return {
    allowed: refused === undefined,
    scope: shown.scope,
    limit: shown.limit,
    remaining: left(shown),
    resetSeconds: secondsUntil(count.windowEndsAt, now),
    windowSeconds: limits.windowSeconds,
    limits: { credential: credential.limit, tenant: tenant.limit },
  };
};

/** The `RateLimit-*` fields of a decision (lower-case, as the pipeline's headers are). */
export const rateLimitHeaders = (d: RateDecision): Record<string, string> => ({
  'ratelimit-limit': String(d.limit),
  'ratelimit-remaining': String(d.remaining),
  'ratelimit-reset': String(d.resetSeconds),
  'ratelimit-policy': (['credential', 'tenant'] as const)
    .map((scope) => `${d.limits[scope]};w=${d.windowSeconds};comment="${scope}"`)
    .join(', '),
});

export interface RateLimitDeps {
  counter: RateCounter;
  limits: TenantLimitsSource;
  clock: Clock;
  /** The configured defaults (a tenant's own values replace them). */
  defaults: TenantLimits;
}

/** Who is counted: a credential of a tenant. */
export interface RateCaller {
  tenant: string;
  kind: string;
  subject: string;
}

/** Counts a request of `caller` and decides whether it may go on. */
export const checkRateLimit = async (deps: RateLimitDeps, caller: RateCaller): Promise<RateDecision> => {
  const limits = effectiveLimits(deps.defaults, await deps.limits.get(caller.tenant));
  const now = deps.clock.now().getTime();
  const count = await deps.counter.hit({
    tenant: caller.tenant,
    credential: `${caller.kind}:${caller.subject}`,
    now,
    windowSeconds: limits.windowSeconds,
    credentialLimit: limits.credentialRequests,
  });
  return decide(limits, count, now);
};
