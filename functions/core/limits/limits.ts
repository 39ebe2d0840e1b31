/**
 * What a tenant may use: how many requests (per credential and per tenant, counted in windows)
 * and how much work at once (builds in progress, hosted apps). Every tenant gets the configured
 * defaults; an operator may give one tenant its own values (`npm run tenant:limits`), which
 * are stored with the tenant and replace the defaults they name.
 */
export interface TenantLimits {
  /** Length of a rate window in seconds. A window starts with the first request after the last one ended. */
  windowSeconds: number;
  /** Requests one credential (an API client or a store token) may make in a window. */
  credentialRequests: number;
  /** Requests all of a tenant's credentials together may make in a window. */
  tenantRequests: number;
  /** Deployments of the tenant that may be building (a deploy in progress) at once. */
  concurrentBuilds: number;
  /** Deployments of the tenant that may host applications at once. */
  hostedApps: number;
  /** API clients the tenant may hold, and store tokens, each kind apart. */
  credentials: number;
}

/** A tenant's own values, each optional: what is left out is the default (validated in `schemas.ts`). */
export type TenantLimitOverrides = Partial<TenantLimits>;

/** Where a tenant's own values are kept. */
export interface TenantLimitsRepository {
  get(tenant: string): Promise<TenantLimitOverrides | undefined>;
  /** Replaces the tenant's values; an empty object leaves it with the defaults. */
  set(tenant: string, overrides: TenantLimitOverrides): Promise<void>;
}

/** What reads a tenant's values (a cached reader is one). */
export type TenantLimitsSource = Pick<TenantLimitsRepository, 'get'>;

/** The defaults with the tenant's own values over them. */
export const effectiveLimits = (defaults: TenantLimits, overrides?: TenantLimitOverrides): TenantLimits => {
  const own = Object.fromEntries(Object.entries(overrides ?? {}).filter(([, value]) => value !== undefined));
  return { ...defaults, ...own };
};

/**
 * Keeps what `source` answered for a tenant for `ttlMs` in this process (a failed read is not
 * kept): what asks on every request reads the table once per tenant in that time, and an
 * operator's change reaches a warm function within it.
 */
export const cachedLimits = (
  source: TenantLimitsSource,
  /** Read when an entry is made, so the setting may come from configuration read late. */
  ttlMs: () => number,
  now: () => number = Date.now,
): TenantLimitsSource => {
  const cache = new Map<string, { until: number; value: Promise<TenantLimitOverrides | undefined> }>();
  return {
    get(tenant) {
      const at = now();
      const hit = cache.get(tenant);
      if (hit && hit.until > at) return hit.value;
      // Bounded: the oldest entry goes first (a Map iterates in insertion order).
      if (cache.size >= MAX_CACHED_TENANTS) cache.delete(cache.keys().next().value as string);
      const value = source.get(tenant);
      cache.set(tenant, { until: at + ttlMs(), value });
      value.catch(() => cache.delete(tenant));
      return value;
    },
  };
};

const MAX_CACHED_TENANTS = 10_000;
