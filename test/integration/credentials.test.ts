/**
 * Credentials as resources (issue 20): API clients and store tokens made, listed and deleted
 * through the API; revocation (a deleted client, a revoked token, a deleted store token) felt
 * by every function of the route table at once, on warm functions and on tokens never used;
 * RFC 7009 revocation and RFC 7662 introspection as a simple form-posting client sees them.
 */
import { performance } from 'node:perf_hooks';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { indexOlderCredentials } from '../../functions/adapters/dynamodb/credential-index.ts';
import { dynamoTenantLimitsRepository } from '../../functions/adapters/dynamodb/tenant-limits.ts';
import { sha256Hex } from '../../functions/core/shared/ids.ts';
import { type HttpMethod, ROUTES, type RouteDefinition } from '../../functions/http/routes.ts';
import { type ApiResponse, api, gatewayUrl, newTenant, tokenFor } from '../helpers.ts';

const form = (
  path: string,
  body: Record<string, string>,
  auth: { basic?: [string, string]; bearer?: string } = {},
): Promise<ApiResponse> =>
  fetch(`${gatewayUrl()}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(auth.basic
        ? {
            authorization: `Basic ${Buffer.from(auth.basic.map(encodeURIComponent).join(':')).toString('base64')}`,
          }
        : {}),
      ...(auth.bearer ? { authorization: `Bearer ${auth.bearer}` } : {}),
    },
    body: new URLSearchParams(body).toString(),
  });

/** Makes an API client through the API; its id, secret and a token it obtained with them. */
const makeClient = async (adminToken: string, scope: string, extra: Record<string, unknown> = {}) => {
  const res = await api('/api-clients', { token: adminToken, body: { name: 'ci', scope, ...extra } });
  expect(res.status).toBe(201);
  const created = await res.json();
  const issued = await form(
    '/oauth/token',
    { grant_type: 'client_credentials' },
    { basic: [created.id, created.secret] },
  );
  expect(issued.status).toBe(200);
  return { ...created, token: (await issued.json()).access_token as string };
};

/**
 * One request for each function of the route table that authenticates its callers (public
 * routes apart), with dummy path values: whatever it answers, 401 means the caller was refused.
 */
const probes = (() => {
  const byFunction = new Map<string, RouteDefinition>();
  for (const route of ROUTES) {
    if (route.scopes === null || byFunction.has(route.function)) continue;
    if (route.method === 'GET' || !ROUTES.some((r) => r.function === route.function && r.method === 'GET'))
      byFunction.set(route.function, route);
  }
  return [...byFunction.values()];
})();

const call = (route: RouteDefinition, tenant: string, headers: Record<string, string>) => {
  const path = route.path
    .replace('{store_hash}', tenant)
    .replace(/\{(project_uuid|deployment_uuid)\}/g, '00000000-0000-4000-8000-000000000000')
    .replace(/\{\w+\}/g, 'none-such');
  const method: HttpMethod = route.method;
  // Streams answer an unknown deployment with 404 at once; anything found would stream, so a
  // request that got its status is cancelled.
  const controller = new AbortController();
  return fetch(`${gatewayUrl()}${path}`, { method, headers, signal: controller.signal }).then((res) => {
    controller.abort();
    return res.status;
  });
};

/**
 * Streams take only `X-Auth-Token` (on AWS, CloudFront's signature takes the Authorization
 * header: `http/streaming.ts`), so a bearer token is not tried on them.
 */
const probesFor = (headers: Record<string, string>) =>
  headers.authorization === undefined ? probes : probes.filter((route) => !route.streaming);

/** Each function's status for these headers, in parallel. */
const statuses = async (tenant: string, headers: Record<string, string>) =>
  Object.fromEntries(
    await Promise.all(
      probesFor(headers).map(async (route) => [route.function, await call(route, tenant, headers)] as const),
    ),
  );

/** Revokes, then asks every function; the time from the revocation's answer to the last 401. */
const refusedEverywhere = async (
  tenant: string,
  headers: Record<string, string>,
  revoke: () => Promise<void>,
): Promise<{ latencyMs: number; statuses: Record<string, number> }> => {
  await revoke();
  const revokedAt = performance.now();
  const after = await statuses(tenant, headers);
  return { latencyMs: performance.now() - revokedAt, statuses: after };
};

/** The functions that answered 401. */
const refusing = (answers: Record<string, number>) =>
  Object.entries(answers)
    .filter(([, status]) => status === 401)
    .map(([fn]) => fn);

const everyFunction = (status: number, headers: Record<string, string>) =>
  Object.fromEntries(probesFor(headers).map((route) => [route.function, status]));

describe('API clients (/api-clients)', () => {
  it('makes a client whose secret is shown once and obtains tokens; lists and gets it without the secret', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);

    const created = await makeClient(admin, 'view_connectors manage_project:shop', {
      accessTokenValiditySeconds: 600,
      deleteDaysAfterCreation: 7,
    });
    const listed = await (await api('/api-clients', { token: admin })).json();
    const got = await api(`/api-clients/${created.id}`, { token: admin });

    expect(created).toMatchObject({
      name: 'ci',
      scope: 'view_connectors manage_project:shop',
      accessTokenValiditySeconds: 600,
    });
    expect(created.secret).toMatch(/^[\w-]{40,}$/);
    expect(Date.parse(created.deleteAt) - Date.parse(created.createdAt)).toBe(7 * 86_400_000);
    expect(listed.results).toContainEqual(expect.objectContaining({ id: created.id, name: 'ci' }));
    expect(got.status).toBe(200);
    const text = JSON.stringify(listed) + (await got.text());
    expect(text).not.toContain(created.secret);
    expect(text).not.toContain('secretHash');
    expect(text).not.toContain('scrypt');
  });

  it('gives the client the token lifetime it asked for, and records the day it was last used', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const { id, secret } = await makeClient(admin, 'view_connectors', { accessTokenValiditySeconds: 120 });

    const issued = await (
      await form('/oauth/token', { grant_type: 'client_credentials' }, { basic: [id, secret] })
    ).json();
    const got = await (await api(`/api-clients/${id}`, { token: admin })).json();

    expect(issued.expires_in).toBe(120);
    expect(got.lastUsedAt).toBe(new Date().toISOString().slice(0, 10));
  });

  it('never grants more than the caller holds, and refuses bad drafts naming the field', async () => {
    const tenant = newTenant();
    const manager = await tokenFor(tenant, ['manage_api_clients', 'manage_project:shop']);

    const within = await api('/api-clients', {
      token: manager,
      body: { name: 'a', scope: 'manage_project:shop' },
    });
    const beyond = await api('/api-clients', { token: manager, body: { name: 'b', scope: 'admin' } });
    const otherProject = await api('/api-clients', {
      token: manager,
      body: { name: 'c', scope: 'view_connectors_deployments:other' },
    });
    const badScope = await api('/api-clients', { token: manager, body: { name: 'd', scope: 'NOT A SCOPE' } });
    const noName = await api('/api-clients', { token: manager, body: { scope: 'manage_project:shop' } });

    expect(within.status).toBe(201);
    expect(beyond.status).toBe(403);
    expect(await beyond.json()).toMatchObject({ errors: [{ code: 'AuthorizationError' }] });
    expect(otherProject.status).toBe(403);
    expect(badScope.status).toBe(400);
    expect(JSON.stringify(await badScope.json())).toContain('scope');
    expect(noName.status).toBe(400);
    expect(JSON.stringify(await noName.json())).toContain('name');
  });

  it('lets view_api_clients read but not make or delete, and a lesser manager not delete an admin', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const viewer = await tokenFor(tenant, ['view_api_clients']);
    const manager = await tokenFor(tenant, ['manage_api_clients']);
    const adminClient = await makeClient(admin, 'admin');

    expect((await api('/api-clients', { token: viewer })).status).toBe(200);
    expect(
      (await api('/api-clients', { token: viewer, body: { name: 'x', scope: 'view_api_clients' } })).status,
    ).toBe(403);
    expect((await api(`/api-clients/${adminClient.id}`, { token: manager, method: 'DELETE' })).status).toBe(
      403,
    );
    expect((await api(`/api-clients/${adminClient.id}`, { token: admin })).status).toBe(200);
  });

  it("answers 404 for another tenant's client, and does not delete it", async () => {
    const owner = await tokenFor(newTenant(), ['admin']);
    const stranger = await tokenFor(newTenant(), ['admin']);
    const { id } = await makeClient(owner, 'view_connectors');

    const got = await api(`/api-clients/${id}`, { token: stranger });
    const deleted = await api(`/api-clients/${id}`, { token: stranger, method: 'DELETE' });
    const listed = await (await api('/api-clients', { token: stranger })).json();

    expect(got.status).toBe(404);
    expect(deleted.status).toBe(404);
    expect(listed.results.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await api(`/api-clients/${id}`, { token: owner })).status).toBe(200);
  });
});

describe('revocation, felt by every function', () => {
  it('derives one probe per authenticating function from the route table', () => {
    const functions = new Set(ROUTES.filter((r) => r.scopes !== null).map((r) => r.function));

    expect(probes.map((r) => r.function).sort()).toEqual([...functions].sort());
  });

  it('deleting a client refuses its warm tokens on every function at once', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const { id, token } = await makeClient(admin, 'admin');
    const headers = { authorization: `Bearer ${token}` };
    const warm = await statuses(tenant, headers);

    const { latencyMs, statuses: after } = await refusedEverywhere(tenant, headers, async () => {
      expect((await api(`/api-clients/${id}`, { token: admin, method: 'DELETE' })).status).toBe(200);
    });

    expect(refusing(warm)).toEqual([]);
    expect(after).toEqual(everyFunction(401, headers));
    console.log(`revocation (client deleted): every function refused within ${latencyMs.toFixed(0)} ms`);
    expect(latencyMs).toBeLessThan(5000);
  });

  it('POST /oauth/revoke refuses the token on every function, warm or never used, and only that token', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const { id, secret, token: warmToken } = await makeClient(admin, 'admin');
    const coldToken = (
      await (await form('/oauth/token', { grant_type: 'client_credentials' }, { basic: [id, secret] })).json()
    ).access_token;
    const sibling = (
      await (await form('/oauth/token', { grant_type: 'client_credentials' }, { basic: [id, secret] })).json()
    ).access_token;
    const warmHeaders = { authorization: `Bearer ${warmToken}` };
    await statuses(tenant, warmHeaders);

    const warm = await refusedEverywhere(tenant, warmHeaders, async () => {
      expect((await form('/oauth/revoke', { token: warmToken }, { basic: [id, secret] })).status).toBe(200);
    });
    const cold = await refusedEverywhere(tenant, { authorization: `Bearer ${coldToken}` }, async () => {
      expect((await form('/oauth/revoke', { token: coldToken }, { basic: [id, secret] })).status).toBe(200);
    });

    expect(warm.statuses).toEqual(everyFunction(401, warmHeaders));
    expect(cold.statuses).toEqual(everyFunction(401, warmHeaders));
    expect(refusing(await statuses(tenant, { authorization: `Bearer ${sibling}` }))).toEqual([]);
    const refused = await api('/api-clients', { token: warmToken });
    expect(await refused.json()).toMatchObject({
      statusCode: 401,
      message: 'The access token has been revoked.',
    });
    console.log(
      `revocation (/oauth/revoke): warm refused within ${warm.latencyMs.toFixed(0)} ms, never used within ${cold.latencyMs.toFixed(0)} ms`,
    );
    expect(Math.max(warm.latencyMs, cold.latencyMs)).toBeLessThan(5000);
  });

  it('deleting a store token refuses it on every function', async () => {
    const store = newTenant();
    const admin = await tokenFor(store, ['admin']);
    const created = await (
      await api(`/stores/${store}/v3/infrastructure/access-tokens`, {
        token: admin,
        body: { name: 'deployer', scopes: ['admin'] },
      })
    ).json();
    const headers = { 'x-auth-token': created.data.token };
    const warm = await statuses(store, headers);

    const { latencyMs, statuses: after } = await refusedEverywhere(store, headers, async () => {
      const deleted = await api(`/stores/${store}/v3/infrastructure/access-tokens/${created.data.id}`, {
        token: admin,
        method: 'DELETE',
      });
      expect(deleted.status).toBe(204);
    });

    expect(refusing(warm)).toEqual([]);
    expect(after).toEqual(everyFunction(401, headers));
    console.log(`revocation (store token deleted): every function refused within ${latencyMs.toFixed(0)} ms`);
    expect(latencyMs).toBeLessThan(5000);
  });

  it("refuses to revoke another client's token (RFC 7009 §2.1), and answers 200 for a token that is no token", async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const a = await makeClient(admin, 'view_connectors');
    const b = await makeClient(admin, 'view_connectors');

    const foreign = await form('/oauth/revoke', { token: b.token }, { basic: [a.id, a.secret] });
    const garbage = await form('/oauth/revoke', { token: 'not-a-token' }, { basic: [a.id, a.secret] });
    const unauthenticated = await form('/oauth/revoke', { token: b.token });
    const missing = await form('/oauth/revoke', {}, { basic: [a.id, a.secret] });

    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({ error: 'unauthorized_client' });
    expect(garbage.status).toBe(200);
    expect(unauthenticated.status).toBe(401);
    expect(missing.status).toBe(400);
    expect(JSON.stringify(await missing.json())).toContain('token');
    expect((await api('/connectors/drafts', { token: b.token })).status).toBe(200);
  });
});

describe('POST /oauth/introspect (RFC 7662)', () => {
  it('describes an active token of the caller tenant, and nothing else', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const checker = await makeClient(admin, 'view_connectors');
    const subject = await makeClient(admin, 'manage_project:shop');
    const stranger = await tokenFor(newTenant(), ['admin']);
    const store = await (
      await api(`/stores/${tenant}/v3/infrastructure/access-tokens`, {
        token: admin,
        body: { name: 'reader', scopes: ['store_infrastructure_projects_read_only'] },
      })
    ).json();
    const introspect = async (token: string, auth: { basic?: [string, string]; bearer?: string }) =>
      (await form('/oauth/introspect', { token }, auth)).json();

    const active = await introspect(subject.token, { basic: [checker.id, checker.secret] });
    const byBearer = await introspect(subject.token, { bearer: checker.token });
    const storeToken = await introspect(store.data.token, { bearer: checker.token });
    const foreign = await introspect(stranger, { basic: [checker.id, checker.secret] });
    const garbage = await introspect('garbage', { basic: [checker.id, checker.secret] });
    await form('/oauth/revoke', { token: subject.token }, { basic: [subject.id, subject.secret] });
    const revoked = await introspect(subject.token, { basic: [checker.id, checker.secret] });
    const unauthenticated = await form('/oauth/introspect', { token: subject.token });

    expect(active).toMatchObject({
      active: true,
      scope: 'manage_project:shop',
      client_id: subject.id,
      token_type: 'Bearer',
      tenant,
    });
    expect(active.exp).toBeGreaterThan(Date.now() / 1000);
    expect(byBearer).toEqual(active);
    expect(storeToken).toMatchObject({
      active: true,
      token_type: 'X-Auth-Token',
      sub: store.data.id,
      scope: 'store_infrastructure_projects_read_only',
    });
    expect(foreign).toEqual({ active: false });
    expect(garbage).toEqual({ active: false });
    expect(revoked).toEqual({ active: false });
    expect(unauthenticated.status).toBe(401);
  });
});

describe('store access tokens (/stores/{store_hash}/v3/infrastructure/access-tokens)', () => {
  it('makes a token shown once, lists tokens without it, and never another store', async () => {
    const store = newTenant();
    const headers = { 'x-auth-token': '' };
    const admin = await tokenFor(store, ['admin']);
    const path = `/stores/${store}/v3/infrastructure/access-tokens`;

    const res = await api(path, {
      token: admin,
      body: { name: 'ci', scopes: ['store_infrastructure_projects_read_only'] },
    });
    const created = (await res.json()).data;
    headers['x-auth-token'] = created.token;
    const listed = await api(path, { token: admin });
    const used = await api(`/stores/${store}/v3/infrastructure/projects`, { headers });
    const elsewhere = await api(`/stores/${newTenant()}/v3/infrastructure/access-tokens`, { token: admin });

    expect(res.status).toBe(200);
    expect(created).toMatchObject({ name: 'ci', scopes: ['store_infrastructure_projects_read_only'] });
    expect(created.token).toMatch(/^slw_/);
    expect(used.status).toBe(200);
    const body = await listed.json();
    expect(body.data).toEqual([
      { id: created.id, name: 'ci', scopes: created.scopes, date_created: created.date_created },
    ]);
    expect(JSON.stringify(body)).not.toContain(created.token);
    expect(elsewhere.status).toBe(404);
  });

  it('never grants a scope the caller lacks, and revokes only what it could have made', async () => {
    const store = newTenant();
    const path = `/stores/${store}/v3/infrastructure/access-tokens`;
    const admin = await tokenFor(store, ['admin']);
    const manager = await (
      await api(path, {
        token: admin,
        body: { name: 'm', scopes: ['store_infrastructure_access_tokens_manage'] },
      })
    ).json();
    const headers = { 'x-auth-token': manager.data.token };
    const adminToken = await (
      await api(path, { token: admin, body: { name: 'a', scopes: ['admin'] } })
    ).json();

    const beyond = await api(path, {
      headers,
      body: { name: 'x', scopes: ['store_infrastructure_projects_manage'] },
    });
    const revokeAdmin = await api(`${path}/${adminToken.data.id}`, { headers, method: 'DELETE' });
    const unknown = await api(`${path}/00000000-0000-4000-8000-000000000000`, { headers, method: 'DELETE' });

    expect(beyond.status).toBe(403);
    expect(await beyond.json()).toMatchObject({ status: 403 });
    expect(revokeAdmin.status).toBe(403);
    expect(unknown.status).toBe(404);
  });
});

describe('credentials of an older version, and odd requests', () => {
  it('indexes clients and store tokens made before they were listed, so the API can list and revoke them', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const table = process.env.SLIPWAY_TABLE_NAME ?? '';
    const clientId = `old${Date.now().toString(36)}`;
    const oldToken = `slw_old_${Date.now().toString(36)}`;
    const tokenId = '00000000-0000-4000-8000-00000000beef';
    const createdAt = new Date().toISOString();
    // As an older version wrote them: the item's own key only, no listing key.
    await documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          PK: `CLIENT#${clientId}`,
          SK: 'CLIENT',
          type: 'ApiClient',
          clientId,
          tenant,
          name: 'old',
          scopes: ['view_connectors'],
          secretHash: 'none',
          createdAt,
        },
      }),
    );
    await documentClient.send(
      new PutCommand({
        TableName: table,
        Item: {
          PK: `STORETOKEN#${sha256Hex(oldToken)}`,
          SK: 'STORETOKEN',
          type: 'StoreToken',
          id: tokenId,
          tenant,
          name: 'old',
          scopes: ['store_infrastructure_projects_read_only'],
          tokenHash: sha256Hex(oldToken),
          createdAt,
        },
      }),
    );
    const tokensPath = `/stores/${tenant}/v3/infrastructure/access-tokens`;
    const before = await (await api(tokensPath, { token: admin })).json();

    const indexed = await indexOlderCredentials(table);
    const clients = await (await api('/api-clients?limit=500', { token: admin })).json();
    const tokens = await (await api(tokensPath, { token: admin })).json();
    const revoked = await api(`${tokensPath}/${tokenId}`, { token: admin, method: 'DELETE' });
    const used = await api(`/stores/${tenant}/v3/infrastructure/projects`, {
      headers: { 'x-auth-token': oldToken },
    });

    expect(before.data.map((t: { id: string }) => t.id)).not.toContain(tokenId);
    expect(indexed).toBeGreaterThanOrEqual(2);
    expect(clients.results.map((c: { id: string }) => c.id)).toContain(clientId);
    expect(tokens.data.map((t: { id: string }) => t.id)).toContain(tokenId);
    expect(revoked.status).toBe(204);
    expect(used.status).toBe(401);
  });

  it('revokes a store token through POST /oauth/revoke for a client of its store that holds its scopes', async () => {
    const store = newTenant();
    const admin = await tokenFor(store, ['admin']);
    const revoker = await makeClient(admin, 'admin');
    const lesser = await makeClient(admin, 'view_connectors');
    const made = await (
      await api(`/stores/${store}/v3/infrastructure/access-tokens`, {
        token: admin,
        body: { name: 'leaked', scopes: ['store_infrastructure_projects_read_only'] },
      })
    ).json();
    const headers = { 'x-auth-token': made.data.token };

    const refused = await form(
      '/oauth/revoke',
      { token: made.data.token },
      { basic: [lesser.id, lesser.secret] },
    );
    const stillWorks = await api(`/stores/${store}/v3/infrastructure/projects`, { headers });
    const done = await form(
      '/oauth/revoke',
      { token: made.data.token },
      { basic: [revoker.id, revoker.secret] },
    );
    const after = await api(`/stores/${store}/v3/infrastructure/projects`, { headers });

    expect(refused.status).toBe(400);
    expect(stillWorks.status).toBe(200);
    expect(done.status).toBe(200);
    expect(after.status).toBe(401);
  });

  it('answers an over-long client id with invalid_client and a cursor not of the listing with 400, never a 500', async () => {
    const tenant = newTenant();
    const admin = await tokenFor(tenant, ['admin']);
    const long = 'a'.repeat(3000);
    const forged = Buffer.from(JSON.stringify({ PK: `AUDIT#${tenant}` })).toString('base64url');
    const forgedClients = Buffer.from(JSON.stringify({ GSI1PK: `CLIENTS#${tenant}` })).toString('base64url');

    const token = await form('/oauth/token', { grant_type: 'client_credentials' }, { basic: [long, 'x'] });
    const revoke = await form('/oauth/revoke', { token: 'x', client_id: long, client_secret: 'x' });
    const audit = await api(`/audit?cursor=${forged}`, { token: admin });
    const clients = await api(`/api-clients?cursor=${forgedClients}`, { token: admin });

    expect(token.status).toBe(401);
    expect(revoke.status).toBe(401);
    expect(audit.status).toBe(400);
    expect(clients.status).toBe(400);
  });
});

describe('the credentials quota', () => {
  it('caps the API clients and the store tokens a tenant holds, each kind apart, with a named error', async () => {
    const tenant = newTenant();
    await dynamoTenantLimitsRepository(() => process.env.SLIPWAY_TABLE_NAME ?? '').set(tenant, {
      credentials: 3,
    });
    // tokenFor records the client its token belongs to: the first of three.
    const admin = await tokenFor(tenant, ['admin']);
    const newClient = () =>
      api('/api-clients', { token: admin, body: { name: 'c', scope: 'view_connectors' } });
    const newToken = () =>
      api(`/stores/${tenant}/v3/infrastructure/access-tokens`, {
        token: admin,
        body: { name: 't', scopes: ['store_infrastructure_projects_read_only'] },
      });

    const clients = [(await newClient()).status, (await newClient()).status];
    const overClients = await newClient();
    const tokens = [(await newToken()).status, (await newToken()).status, (await newToken()).status];
    const overTokens = await newToken();

    expect(clients).toEqual([201, 201]);
    expect(overClients.status).toBe(400);
    expect(await overClients.json()).toMatchObject({
      errors: [
        { code: 'MaxResourceLimitExceeded', exceededResource: 'credential', quota: 'credentials', limit: 3 },
      ],
    });
    expect(tokens).toEqual([200, 200, 200]);
    expect(overTokens.status).toBe(400);
    expect(await overTokens.json()).toMatchObject({ status: 400, code: 'MaxResourceLimitExceeded' });
  });
});
