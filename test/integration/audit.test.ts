/**
 * The audit trail (issue 20): every state-changing route of the route table, called by a
 * tenant, leaves an entry naming who, what, when, from where and the outcome — whether the
 * request succeeded or was refused — and nothing secret. The list of routes is the table's.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { documentClient } from '../../functions/adapters/dynamodb/client.ts';
import { ROUTES, type RouteDefinition, routeKey } from '../../functions/http/routes.ts';
import { type ApiResponse, api, gatewayUrl, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/** The routes that change state; `ANY` is the sites' proxy, a tenant's own website traffic. */
const stateChanging = ROUTES.filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method));
const NOT_AUDITED = ROUTES.filter((r) => r.method === 'ANY');

const tenant = newTenant();
let admin: string;
let client: { id: string; secret: string };

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Calls a route as the tenant: dummy path values and an empty body (a refusal is audited too). */
const callAsTenant = (route: RouteDefinition): Promise<ApiResponse> => {
  const path = route.path
    .replace('{store_hash}', tenant)
    .replace(/\{(project_uuid|deployment_uuid|token_id)\}/g, '00000000-0000-4000-8000-000000000000')
    .replace(/\{\w+\}/g, 'none-such');
  if (route.path.startsWith('/oauth/')) {
    // Public, client-authenticated: the client becomes the caller the trail names.
    return fetch(`${gatewayUrl()}${path}`, {
      method: 'POST',
      headers: {
        authorization: basic(client.id, client.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: route.path === '/oauth/token' ? 'grant_type=client_credentials' : 'token=not-a-token',
    });
  }
  return api(path, {
    method: route.method,
    token: admin,
    ...(route.method === 'DELETE' ? {} : { body: {} }),
  });
};

/** Every entry of the tenant's trail, following `nextCursor` page after page. */
const wholeTrail = async (limit = 7) => {
  const entries: Record<string, unknown>[] = [];
  const pages: number[] = [];
  let cursor: string | undefined;
  do {
    const res = await api(`/audit?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, {
      token: admin,
    });
    expect(res.status).toBe(200);
    const page = await res.json();
    entries.push(...page.results);
    pages.push(page.results.length);
    cursor = page.nextCursor;
  } while (cursor);
  return { entries, pages };
};

const answers = new Map<string, number>();
let started: number;

beforeAll(async () => {
  admin = await tokenFor(tenant, ['admin']);
  const made = await (
    await api('/api-clients', { token: admin, body: { name: 'auditor', scope: 'admin' } })
  ).json();
  client = { id: made.id, secret: made.secret };
  started = Date.now();
  for (const route of stateChanging) answers.set(routeKey(route), (await callAsTenant(route)).status);
});

describe('the audit trail', () => {
  it('covers every state-changing route of the table (the sites proxy apart)', () => {
    expect(stateChanging.length).toBeGreaterThan(15);
    expect(NOT_AUDITED.every((r) => r.function === 'sites')).toBe(true);
    console.log(
      `audit: ${stateChanging.length} state-changing routes called, ${NOT_AUDITED.length} not audited`,
    );
  });

  it('records one entry per state-changing request, with who, what, when, where and the outcome', async () => {
    const { entries } = await wholeTrail();
    // Newest first: the route's own call is an action's newest entry (beforeAll made a client first).
    const byAction = new Map<string, Record<string, unknown>>();
    for (const e of entries) if (!byAction.has(e.action as string)) byAction.set(e.action as string, e);

    const missing = stateChanging.map(routeKey).filter((key) => !byAction.has(key));
    expect(missing).toEqual([]);
    for (const route of stateChanging) {
      const entry = byAction.get(routeKey(route)) as Record<string, unknown> & {
        actor: { id: string };
        outcome: { status: number };
        at: string;
      };
      expect(entry).toMatchObject({ method: route.method, tenant });
      expect(entry.outcome.status).toBe(answers.get(routeKey(route)));
      expect(Date.parse(entry.at)).toBeGreaterThanOrEqual(started - 1000);
      expect(entry.sourceIp).toEqual(expect.any(String));
      expect(['client', 'store-token']).toContain((entry.actor as unknown as { kind: string }).kind);
    }
    // The token endpoint's caller is the client that authenticated itself.
    expect((byAction.get('POST /oauth/token') as { actor: { id: string } }).actor.id).toBe(client.id);
    expect(entries.filter((e) => e.method === 'GET' || e.method === 'HEAD')).toEqual([]);
  });

  it('names what a creation made, its refusals by code, and holds no secret', async () => {
    const key = uniqueKey('audited');
    const created = await (await api('/projects', { token: admin, body: { key, name: 'Audited' } })).json();
    const refused = await api('/projects', { token: admin, body: { key, name: 'Again' } });
    const made = await (
      await api('/api-clients', { token: admin, body: { name: 'x', scope: 'view_connectors' } })
    ).json();

    const { entries } = await wholeTrail(50);
    const text = JSON.stringify(entries);

    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'POST /projects',
        resource: { id: created.id },
        outcome: { status: 201 },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({
        action: 'POST /projects',
        outcome: { status: refused.status, code: 'DuplicateField' },
      }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ action: 'POST /api-clients', resource: { id: made.id } }),
    );
    expect(text).not.toContain(made.secret);
    expect(text).not.toContain(client.secret);
    expect(text).not.toContain(admin);
  });

  it('pages newest first with a cursor, without overlap', async () => {
    const { entries, pages } = await wholeTrail(5);
    const ids = entries.map((e) => e.id);
    const times = entries.map((e) => e.at as string);

    expect(pages.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('keeps entries for 90 days (DynamoDB TTL), and shows a tenant only its own', async () => {
    const items = await documentClient.send(
      new QueryCommand({
        TableName: process.env.SLIPWAY_TABLE_NAME,
        KeyConditionExpression: 'PK = :p',
        ExpressionAttributeValues: { ':p': `AUDIT#${tenant}` },
        Limit: 1,
      }),
    );
    const item = items.Items?.[0] as { at: string; ttl: number };
    const other = await (await api('/audit', { token: await tokenFor(newTenant(), ['admin']) })).json();
    const viewer = await api('/audit', { token: await tokenFor(tenant, ['view_api_clients']) });

    expect(item.ttl - Date.parse(item.at) / 1000).toBeCloseTo(90 * 86_400, -1);
    expect(other.results).toEqual([]);
    expect(viewer.status).toBe(403);
  });
});
