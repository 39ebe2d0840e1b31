import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { dynamoTenantLimitsRepository } from '../../functions/adapters/dynamodb/tenant-limits.ts';
import type { TenantLimitOverrides } from '../../functions/core/limits/limits.ts';
import { ROUTES } from '../../functions/http/routes.ts';
import { newStore } from '../fixtures/stores.ts';
import { type ApiResponse, api, createStoreAccessToken, newTenant, tokenFor } from '../helpers.ts';

/**
 * The rate limits on the run's shared stack, each test on a tenant of its own whose own (low)
 * limits are stored before its first request; the defaults stay as they are for every other test.
 */
const limits = dynamoTenantLimitsRepository(() => process.env.SLIPWAY_TABLE_NAME ?? '');

const tenantWith = async (own: TenantLimitOverrides) => {
  const tenant = newTenant();
  await limits.set(tenant, own);
  return tenant;
};

const rateHeaders = (res: ApiResponse) => ({
  limit: res.headers.get('ratelimit-limit'),
  remaining: res.headers.get('ratelimit-remaining'),
  reset: Number(res.headers.get('ratelimit-reset')),
  policy: res.headers.get('ratelimit-policy'),
});

/** Retry-After as a whole number of seconds, as the field allows it here. */
const retryAfter = (res: ApiResponse) => {
  const value = res.headers.get('retry-after') ?? '';
  expect(value).toMatch(/^\d+$/);
  return Number(value);
};

describe('rate limits (Connect)', () => {
  it("answers 429 TooManyRequests with Retry-After past a credential's limit, and serves again after that wait", async () => {
    const tenant = await tenantWith({ credentialRequests: 3, tenantRequests: 100, windowSeconds: 3 });
    const token = await tokenFor(tenant, ['admin']);

    const served = [];
    for (let i = 0; i < 3; i++) served.push(await api('/projects', { token }));
    const refused = await api('/projects', { token });

    expect(served.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(served.map((r) => rateHeaders(r).remaining)).toEqual(['2', '1', '0']);
    for (const res of served)
      expect(rateHeaders(res)).toMatchObject({
        limit: '3',
        policy: '3;w=3;comment="credential", 100;w=3;comment="tenant"',
      });
    expect(rateHeaders(served[0] as ApiResponse).reset).toBeGreaterThanOrEqual(1);
    expect(rateHeaders(served[0] as ApiResponse).reset).toBeLessThanOrEqual(3);

    expect(refused.status).toBe(429);
    expect(rateHeaders(refused)).toMatchObject({ limit: '3', remaining: '0' });
    const wait = retryAfter(refused);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(3);
    expect(rateHeaders(refused).reset).toBe(wait);
    const body = await refused.json();
    expect(body).toMatchObject({
      statusCode: 429,
      message: expect.stringContaining('3 requests in 3 seconds'),
      errors: [{ code: 'TooManyRequests', scope: 'credential', limit: 3, retryAfterSeconds: wait }],
    });

    // The wait the answer asks for (this test's one sleep), then the next window.
    await sleep(wait * 1000);
    const again = await api('/projects', { token });
    expect(again.status).toBe(200);
    expect(rateHeaders(again)).toMatchObject({ limit: '3', remaining: '2' });
  });

  it('counts the requests that fail too, and carries the fields on their answers', async () => {
    const tenant = await tenantWith({ credentialRequests: 2, windowSeconds: 600 });
    const token = await tokenFor(tenant, ['admin']);

    const missing = await api('/projects/no-such-project', { token });
    const invalid = await api('/projects', { token, body: { key: '!' } });
    const refused = await api('/projects', { token });

    expect(missing.status).toBe(404);
    expect(rateHeaders(missing).remaining).toBe('1');
    expect(invalid.status).toBe(400);
    expect(rateHeaders(invalid).remaining).toBe('0');
    expect(refused.status).toBe(429);
    expect(retryAfter(refused)).toBeGreaterThan(590);
  });

  it('leaves public routes and requests without a valid credential uncounted, without the fields', async () => {
    const health = await api('/health');
    const anonymous = await api('/projects');

    expect(health.headers.get('ratelimit-limit')).toBeNull();
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('ratelimit-limit')).toBeNull();
  });
});

describe('rate limits (BigCommerce)', () => {
  it("answers 429 in BigCommerce's envelope with Retry-After, and serves again after that wait", async () => {
    const store = await newStore(['store_infrastructure_projects_read_only']);
    await limits.set(store.hash, { credentialRequests: 2, windowSeconds: 3 });

    const served = [await store.call('/projects'), await store.call('/projects')];
    const refused = await store.call('/projects');

    expect(served.map((r) => r.status)).toEqual([200, 200]);
    expect(served.map((r) => rateHeaders(r).remaining)).toEqual(['1', '0']);
    expect(refused.status).toBe(429);
    const wait = retryAfter(refused);
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(3);
    expect(await refused.json()).toMatchObject({
      status: 429,
      title: expect.stringContaining('2 requests in 3 seconds'),
      type: expect.stringContaining('bigcommerce.com'),
      errors: {},
      code: 'TooManyRequests',
    });
    expect(rateHeaders(refused)).toMatchObject({ limit: '2', remaining: '0', reset: wait });

    await sleep(wait * 1000);
    const again = await store.call('/projects');
    expect(again.status).toBe(200);
    expect(rateHeaders(again).remaining).toBe('1');
  });
});

describe('per credential and per tenant', () => {
  it("lets each credential use its own limit, all of them the tenant's together", async () => {
    const tenant = await tenantWith({ credentialRequests: 3, tenantRequests: 5, windowSeconds: 600 });
    const client = await tokenFor(tenant, ['admin']);
    const { token: storeToken } = await createStoreAccessToken(tenant, ['admin']);
    const asClient = () => api('/projects', { token: client });
    const asStore = () =>
      api(`/stores/${tenant}/v3/infrastructure/projects`, { headers: { 'x-auth-token': storeToken } });

    const clientStatuses = [];
    for (let i = 0; i < 4; i++) clientStatuses.push((await asClient()).status);
    // The client's fourth request was refused on its own limit, and not counted for the tenant
    // (a credential past its limit must not use up its tenant's allowance): three so far.
    const storeFirst = await asStore();
    const storeSecond = await asStore();
    const storeThird = await asStore();

    expect(clientStatuses).toEqual([200, 200, 200, 429]);
    expect(storeFirst.status).toBe(200);
    expect(rateHeaders(storeFirst)).toMatchObject({ limit: '5', remaining: '1' });
    expect(storeSecond.status).toBe(200);
    expect(rateHeaders(storeSecond)).toMatchObject({ limit: '5', remaining: '0' });
    expect(storeThird.status).toBe(429);
    expect(await storeThird.json()).toMatchObject({
      status: 429,
      code: 'TooManyRequests',
      title: expect.stringContaining("this tenant's credentials together may make 5 requests"),
    });
    // Another tenant's credential is untouched.
    const other = await api('/projects', { token: await tokenFor(newTenant(), ['admin']) });
    expect(other.status).toBe(200);
  });
});

describe('every function behind a route with scopes', () => {
  it('counts its requests and carries the fields (derived from the route table)', async () => {
    const tenant = newTenant();
    const token = await tokenFor(tenant, ['admin']);
    // One route of each function; streams take only X-Auth-Token (http/streaming.ts).
    const storeToken = (await createStoreAccessToken(tenant, ['admin'])).token;
    const firstRoutes = new Map(
      ROUTES.filter((r) => r.scopes !== null && r.method !== 'ANY')
        .reverse()
        .map((r) => [r.function, r]),
    );
    const missing: string[] = [];
    for (const [name, route] of firstRoutes) {
      const path = route.path
        .replace('{store_hash}', tenant)
        .replace(/\{[^}]+\}/g, '00000000-0000-4000-8000-000000000000');
      const res = await api(path, {
        method: route.method,
        ...(route.streaming ? { headers: { 'x-auth-token': storeToken } } : { token }),
        ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { body: {} }),
      });
      if (res.headers.get('ratelimit-limit') === null)
        missing.push(`${name} (${route.method} ${route.path}: ${res.status})`);
    }
    expect(missing).toEqual([]);
  });
});
