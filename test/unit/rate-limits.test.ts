import { describe, expect, it } from 'vitest';
import { TooManyRequests } from '../../functions/core/limits/errors.ts';
import {
  cachedLimits,
  effectiveLimits,
  type TenantLimitOverrides,
  type TenantLimits,
} from '../../functions/core/limits/limits.ts';
import {
  checkRateLimit,
  decide,
  type RateCounter,
  rateLimitHeaders,
  secondsUntil,
  windowEnd,
} from '../../functions/core/limits/rate-limits.ts';
import { overridesOf } from '../../functions/core/limits/schemas.ts';

const DEFAULTS: TenantLimits = {
  windowSeconds: 60,
  credentialRequests: 5,
  tenantRequests: 8,
  concurrentBuilds: 2,
  hostedApps: 3,
  credentials: 4,
};

/** The counter's contract in memory: one window per tenant, started by the first request after the last ended. */
const memoryCounter = (): RateCounter => {
  const windows = new Map<string, { endsAt: number; tenant: number; credentials: Map<string, number> }>();
  return {
    async hit({ tenant, credential, now, windowSeconds }) {
      let w = windows.get(tenant);
      if (!w || w.endsAt <= now) {
        w = { endsAt: windowEnd(now, windowSeconds), tenant: 0, credentials: new Map() };
        windows.set(tenant, w);
      }
      w.tenant += 1;
      w.credentials.set(credential, (w.credentials.get(credential) ?? 0) + 1);
      return { tenant: w.tenant, credential: w.credentials.get(credential) ?? 0, windowEndsAt: w.endsAt };
    },
  };
};

describe('window arithmetic', () => {
  it('ends a window windowSeconds after the request that starts it', () => {
    expect(windowEnd(1_000_000, 60)).toBe(1_060_000);
  });

  it('rounds the seconds left up, and never says less than one', () => {
    expect(secondsUntil(10_000, 0)).toBe(10);
    expect(secondsUntil(10_001, 0)).toBe(11);
    expect(secondsUntil(10_000, 9_999)).toBe(1);
    expect(secondsUntil(10_000, 10_000)).toBe(1);
    expect(secondsUntil(10_000, 12_000)).toBe(1);
  });
});

describe('deciding a request', () => {
  const now = 1_000_000;
  const endsAt = now + 42_500;

  it('lets a request within both limits through and shows the policy with fewer requests left', () => {
    const d = decide(DEFAULTS, { credential: 1, tenant: 6, windowEndsAt: endsAt }, now);
    expect(d).toMatchObject({ allowed: true, scope: 'tenant', limit: 8, remaining: 2, resetSeconds: 43 });
    expect(decide(DEFAULTS, { credential: 4, tenant: 4, windowEndsAt: endsAt }, now)).toMatchObject({
      allowed: true,
      scope: 'credential',
      remaining: 1,
    });
  });

  it('allows the request that uses the last one, and refuses the next', () => {
    expect(decide(DEFAULTS, { credential: 5, tenant: 5, windowEndsAt: endsAt }, now)).toMatchObject({
      allowed: true,
      remaining: 0,
    });
    expect(decide(DEFAULTS, { credential: 6, tenant: 6, windowEndsAt: endsAt }, now)).toMatchObject({
      allowed: false,
      scope: 'credential',
      limit: 5,
      remaining: 0,
    });
  });

  it('refuses on the tenant limit when the tenant is over it though this credential is not', () => {
    expect(decide(DEFAULTS, { credential: 2, tenant: 9, windowEndsAt: endsAt }, now)).toMatchObject({
      allowed: false,
      scope: 'tenant',
      limit: 8,
      remaining: 0,
    });
  });

  it('writes the draft-06 fields: the shown policy, seconds to reset, and both policies with their window', () => {
    const d = decide(DEFAULTS, { credential: 2, tenant: 3, windowEndsAt: endsAt }, now);
    expect(rateLimitHeaders(d)).toEqual({
      'ratelimit-limit': '5',
      'ratelimit-remaining': '3',
      'ratelimit-reset': '43',
      'ratelimit-policy': '5;w=60;comment="credential", 8;w=60;comment="tenant"',
    });
  });

  it('names the limit and the wait in the 429 error', () => {
    const error = new TooManyRequests(
      decide(DEFAULTS, { credential: 2, tenant: 9, windowEndsAt: endsAt }, now),
    );
    expect(error.code).toBe('TooManyRequests');
    expect(error.message).toContain('8 requests in 60 seconds');
    expect(error.details).toMatchObject({ scope: 'tenant', limit: 8, retryAfterSeconds: 43 });
  });
});

describe('checking a caller', () => {
  const at = (ms: number) => ({ now: () => new Date(ms) });
  const deps = (counter: RateCounter, ms: number, own?: TenantLimitOverrides) => ({
    counter,
    limits: { get: async () => own },
    clock: at(ms),
    defaults: DEFAULTS,
  });
  const caller = (subject: string, tenant = 't1') => ({ tenant, kind: 'client', subject });

  it('counts each credential apart and the tenant over all of them', async () => {
    const counter = memoryCounter();
    for (let i = 0; i < 5; i++)
      expect((await checkRateLimit(deps(counter, 0), caller('a'))).allowed).toBe(true);
    expect(await checkRateLimit(deps(counter, 0), caller('a'))).toMatchObject({
      allowed: false,
      scope: 'credential',
    });
    // b has its own five, but the tenant's eight are spent after two of them (a made six).
    expect((await checkRateLimit(deps(counter, 0), caller('b'))).allowed).toBe(true);
    expect((await checkRateLimit(deps(counter, 0), caller('b'))).allowed).toBe(true);
    expect(await checkRateLimit(deps(counter, 0), caller('b'))).toMatchObject({
      allowed: false,
      scope: 'tenant',
    });
    // Another tenant is not affected.
    expect((await checkRateLimit(deps(counter, 0), caller('a', 't2'))).allowed).toBe(true);
  });

  it('starts over once the window has ended, and says when that is', async () => {
    const counter = memoryCounter();
    const own = { windowSeconds: 2, credentialRequests: 1 };
    expect(await checkRateLimit(deps(counter, 10_000, own), caller('a'))).toMatchObject({
      allowed: true,
      resetSeconds: 2,
    });
    expect(await checkRateLimit(deps(counter, 10_600, own), caller('a'))).toMatchObject({
      allowed: false,
      resetSeconds: 2,
    });
    expect(await checkRateLimit(deps(counter, 11_999, own), caller('a'))).toMatchObject({
      allowed: false,
      resetSeconds: 1,
    });
    expect(await checkRateLimit(deps(counter, 12_000, own), caller('a'))).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });
});

describe("a tenant's own limits", () => {
  it('replace the defaults they name and leave the others', () => {
    expect(effectiveLimits(DEFAULTS, { tenantRequests: 100 })).toEqual({ ...DEFAULTS, tenantRequests: 100 });
    expect(effectiveLimits(DEFAULTS, undefined)).toEqual(DEFAULTS);
  });

  it('are read from a record by their names only, and a record with a bad value counts as none', () => {
    expect(overridesOf({ PK: 'x', SK: 'LIMITS', hostedApps: 10, other: 1 })).toEqual({ hostedApps: 10 });
    expect(overridesOf({ hostedApps: 0 })).toBeUndefined();
    expect(overridesOf({ windowSeconds: 86_401 })).toBeUndefined();
    expect(overridesOf(undefined)).toBeUndefined();
  });

  it('are kept for the cache time, and a failed read is not kept', async () => {
    let reads = 0;
    let fail = true;
    let clock = 0;
    const cached = cachedLimits(
      {
        get: async () => {
          reads++;
          if (fail) throw new Error('down');
          return { hostedApps: reads };
        },
      },
      () => 1_000,
      () => clock,
    );
    await expect(cached.get('t')).rejects.toThrow('down');
    fail = false;
    expect(await cached.get('t')).toEqual({ hostedApps: 2 });
    clock = 999;
    expect(await cached.get('t')).toEqual({ hostedApps: 2 });
    clock = 1_000;
    expect(await cached.get('t')).toEqual({ hostedApps: 3 });
  });
});
