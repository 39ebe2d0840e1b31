import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { sha256Hex } from '../../functions/core/shared/ids.ts';
import {
  type ApiResponse,
  api,
  createClient,
  createStoreAccessToken,
  gatewayUrl,
  newTenant,
  tokenFor,
  uniqueKey,
} from '../helpers.ts';

const key = uniqueKey('auth');
const tenant = newTenant();
const stackKey = () => Buffer.from(process.env.SLIPWAY_JWT_KEY ?? '', 'base64');
const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const validClaims = () => ({
  iss: 'slipway',
  aud: 'slipway-api',
  sub: 'someone',
  jti: 'a-token-id',
  tenant,
  scope: 'admin',
  iat: Math.floor(Date.now() / 1000) - 700,
  exp: Math.floor(Date.now() / 1000) + 600,
});

const tokenRequest = (
  body: string,
  basic?: [string, string],
  contentType = 'application/x-www-form-urlencoded',
): Promise<ApiResponse> =>
  fetch(`${gatewayUrl()}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': contentType,
      ...(basic
        ? { authorization: `Basic ${Buffer.from(`${basic[0]}:${basic[1]}`).toString('base64')}` }
        : {}),
    },
    body,
  });

beforeAll(async () => {
  const created = await api('/projects', { token: await tokenFor(tenant, ['admin']), body: { key } });
  expect(created.status).toBe(201);
});

describe('authentication and authorization on GET /projects/{key}', () => {
  const get = (headers: Record<string, string>) => api(`/projects/${key}`, { headers });

  it.each([
    ['no token', {}],
    ['a bare "Bearer"', { authorization: 'Bearer' }],
    ['Basic credentials', { authorization: 'Basic YTpi' }],
    ['two words after Bearer', { authorization: 'Bearer a b' }],
    ['a token that is not a JWT', { authorization: 'Bearer not-a-jwt' }],
  ])('answers 401 in the Connect envelope for %s', async (_, headers) => {
    const res = await get(headers);

    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('Bearer');
    expect(await res.json()).toMatchObject({ statusCode: 401, errors: [{ code: 'AuthenticationError' }] });
  });

  it('answers 401 for a token signed with another key', async () => {
    const forged = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: 'HS256' })
      .sign(Buffer.alloc(32, 7));

    const res = await get({ authorization: `Bearer ${forged}` });

    expect(res.status).toBe(401);
  });

  it('answers 401 for an unsigned alg:none token', async () => {
    const unsigned = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(validClaims())}.`;

    const res = await get({ authorization: `Bearer ${unsigned}` });

    expect(res.status).toBe(401);
  });

  it('answers 401 naming expiry for an expired token', async () => {
    const expired = await new SignJWT({ ...validClaims(), exp: Math.floor(Date.now() / 1000) - 60 })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(stackKey());

    const res = await get({ authorization: `Bearer ${expired}` });

    expect(res.status).toBe(401);
    expect((await res.json()).message).toContain('expired');
  });

  it('answers 403 for a valid token without the route scope', async () => {
    const token = await tokenFor(tenant, ['view_connectors_deployments:another-project', 'view_connectors']);

    const res = await get({ authorization: `Bearer ${token}` });

    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ statusCode: 403, errors: [{ code: 'AuthorizationError' }] });
  });

  it('answers 404, not 403, for a project of another tenant', async () => {
    const token = await tokenFor(newTenant(), ['admin']);

    const res = await get({ authorization: `Bearer ${token}` });

    expect(res.status).toBe(404);
    expect((await res.json()).errors[0].code).toBe('ResourceNotFound');
  });

  it('accepts a project-scoped token for its own project', async () => {
    const token = await tokenFor(tenant, [`manage_project:${key}`]);

    expect((await get({ authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('POST /oauth/token', () => {
  it('issues a bearer token for valid client credentials, usable on the API', async () => {
    const { client, secret } = await createClient(tenant, ['admin']);

    const res = await tokenRequest('grant_type=client_credentials', [client.clientId, secret]);
    const body = await res.json();
    const use = await api(`/projects/${key}`, { token: body.access_token });

    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 172_800, scope: 'admin' });
    expect(JSON.stringify(body)).not.toContain(secret);
    expect(use.status).toBe(200);
  });

  it('narrows the token to the requested scope', async () => {
    const { client, secret } = await createClient(tenant, ['admin']);

    const res = await tokenRequest(`grant_type=client_credentials&scope=view_connectors_deployments:${key}`, [
      client.clientId,
      secret,
    ]);
    const { access_token, scope } = await res.json();

    expect(scope).toBe(`view_connectors_deployments:${key}`);
    expect((await api(`/projects/${key}`, { token: access_token })).status).toBe(200);
    expect((await api('/projects', { token: access_token })).status).toBe(403);
  });

  it('accepts client_id and client_secret in the form body', async () => {
    const { client, secret } = await createClient(tenant, ['view_connectors']);

    const res = await tokenRequest(
      `grant_type=client_credentials&client_id=${client.clientId}&client_secret=${encodeURIComponent(secret)}`,
    );

    expect(res.status).toBe(200);
  });

  it('refuses a scope the client does not hold with invalid_scope', async () => {
    const { client, secret } = await createClient(tenant, [`view_connectors_deployments:${key}`]);

    const res = await tokenRequest('grant_type=client_credentials&scope=admin', [client.clientId, secret]);

    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_scope', errors: [{ code: 'invalid_scope' }] });
  });

  it.each([
    ['a wrong secret', (id: string) => [id, 'wrong-secret'] as [string, string]],
    ['an unknown client', () => ['unknown-client-id', 'whatever'] as [string, string]],
  ])('answers 401 invalid_client for %s', async (_, credentials) => {
    const { client } = await createClient(tenant, ['admin']);

    const res = await tokenRequest('grant_type=client_credentials', credentials(client.clientId));

    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client', errors: [{ code: 'invalid_client' }] });
  });

  it.each(['', 'grant_type=password'])('answers 400 unsupported_grant_type for body %j', async (body) => {
    const { client, secret } = await createClient(tenant, ['admin']);

    const res = await tokenRequest(body, [client.clientId, secret]);

    expect(res.status).toBe(400);
    expect((await res.json()).error).toBe('unsupported_grant_type');
  });

  it('answers 415 for a JSON body', async () => {
    const res = await tokenRequest('{"grant_type":"client_credentials"}', undefined, 'application/json');

    expect(res.status).toBe(415);
  });
});

describe('X-Auth-Token', () => {
  it('authenticates a store token on its own tenant', async () => {
    const { token } = await createStoreAccessToken(tenant, ['admin']);

    expect((await api(`/projects/${key}`, { headers: { 'x-auth-token': token } })).status).toBe(200);
  });

  it('answers 401 for an unknown token', async () => {
    const res = await api(`/projects/${key}`, { headers: { 'x-auth-token': 'slw_made-up' } });

    expect(res.status).toBe(401);
  });

  it("answers 404 for another store's project", async () => {
    const { token } = await createStoreAccessToken(newTenant(), ['admin']);

    expect((await api(`/projects/${key}`, { headers: { 'x-auth-token': token } })).status).toBe(404);
  });
});

describe('secrets at rest', () => {
  it('stores a client secret only as a scrypt hash', async () => {
    const { client, secret } = await createClient(tenant, ['admin']);

    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: process.env.SLIPWAY_TABLE_NAME,
        Key: { PK: `CLIENT#${client.clientId}`, SK: 'CLIENT' },
      }),
    );

    expect(Item?.secretHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(Item)).not.toContain(secret);
  });

  it('stores a store token only as its SHA-256', async () => {
    const { token } = await createStoreAccessToken(tenant, ['admin']);

    const { Item } = await documentClient.send(
      new GetCommand({
        TableName: process.env.SLIPWAY_TABLE_NAME,
        Key: { PK: `STORETOKEN#${sha256Hex(token)}`, SK: 'STORETOKEN' },
      }),
    );

    expect(Item?.tenant).toBe(tenant);
    expect(JSON.stringify(Item)).not.toContain(token);
  });
});
