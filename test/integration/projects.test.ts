import { describe, expect, it } from 'vitest';
import { api, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

describe('projects', () => {
  it('creates a project and reads it back by key', async () => {
    const token = await tokenFor(newTenant(), ['admin']);
    const key = uniqueKey();

    const created = await api('/projects', { token, body: { key, name: 'Shop' } });
    const fetched = await api(`/projects/${key}`, { token });

    expect(created.status).toBe(201);
    const body = await created.json();
    expect(body).toMatchObject({ key, name: 'Shop', version: 1 });
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(body);
  });

  it('returns 409 DuplicateField for a key the tenant already has', async () => {
    const token = await tokenFor(newTenant(), ['admin']);
    const key = uniqueKey();
    await api('/projects', { token, body: { key } });

    const again = await api('/projects', { token, body: { key, name: 'other' } });

    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      statusCode: 409,
      errors: [{ code: 'DuplicateField', field: 'key', duplicateValue: key }],
    });
  });

  it('lets two tenants use the same key without seeing each other', async () => {
    const [a, b] = [await tokenFor(newTenant(), ['admin']), await tokenFor(newTenant(), ['admin'])];
    const key = uniqueKey();

    expect((await api('/projects', { token: a, body: { key, name: 'A' } })).status).toBe(201);
    expect((await api('/projects', { token: b, body: { key, name: 'B' } })).status).toBe(201);

    expect((await (await api(`/projects/${key}`, { token: a })).json()).name).toBe('A');
    expect((await (await api(`/projects/${key}`, { token: b })).json()).name).toBe('B');
  });

  it.each([
    [{ key: 'x' }, 'key'],
    [{ key: 'has space' }, 'key'],
    [{ name: 'no key' }, 'key'],
    [{ key: 'ok-key', color: 'red' }, 'color'],
    [{ key: 'ok-key', name: '' }, 'name'],
  ])('rejects %j with InvalidJsonInput naming %s', async (draft, field) => {
    const token = await tokenFor(newTenant(), ['admin']);

    const res = await api('/projects', { token, body: draft });

    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.errors[0]).toMatchObject({ code: 'InvalidJsonInput', field });
    expect(body.errors[0].detailedErrorMessage).toContain(field);
  });

  it('rejects malformed JSON with InvalidJsonInput and stores nothing', async () => {
    const token = await tokenFor(newTenant(), ['admin']);

    const res = await api('/projects', {
      token,
      body: '{"key": "abc"',
      headers: { 'content-type': 'application/json' },
    });
    const list = await api('/projects', { token });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].code).toBe('InvalidJsonInput');
    expect((await list.json()).total).toBe(0);
  });

  it('rejects a body that is not JSON with 415', async () => {
    const token = await tokenFor(newTenant(), ['admin']);

    const res = await api('/projects', { token, body: 'key=abc', headers: { 'content-type': 'text/plain' } });

    expect(res.status).toBe(415);
    expect((await res.json()).errors[0].code).toBe('UnsupportedMediaType');
  });

  it('pages through every project exactly once, by offset and by cursor', async () => {
    const token = await tokenFor(newTenant(), ['admin']);
    const keys = Array.from({ length: 23 }, (_, i) => `proj-${String(i).padStart(2, '0')}`);
    for (const key of keys) await api('/projects', { token, body: { key } });

    const byOffset: string[] = [];
    for (let offset = 0; offset < 30; offset += 5) {
      const page = await (await api(`/projects?limit=5&offset=${offset}`, { token })).json();
      expect(page.total).toBe(23);
      byOffset.push(...page.results.map((p: { key: string }) => p.key));
    }
    const byCursor: string[] = [];
    let cursor: string | undefined;
    do {
      const query = cursor ? `limit=7&cursor=${encodeURIComponent(cursor)}` : 'limit=7';
      const page = await (await api(`/projects?${query}`, { token })).json();
      byCursor.push(...page.results.map((p: { key: string }) => p.key));
      cursor = page.nextCursor;
    } while (cursor);

    expect(byOffset).toEqual(keys);
    expect(byCursor).toEqual(keys);
  });

  it('rejects a cursor taken from another tenant', async () => {
    const [a, b] = [newTenant(), newTenant()];
    const tokenA = await tokenFor(a, ['admin']);
    for (const key of ['aa', 'bb']) await api('/projects', { token: tokenA, body: { key } });
    const { nextCursor } = await (await api('/projects?limit=1&offset=0', { token: tokenA })).json();

    const res = await api(`/projects?cursor=${encodeURIComponent(nextCursor)}`, {
      token: await tokenFor(b, ['admin']),
    });

    expect(nextCursor).toEqual(expect.any(String));
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidQueryParam', field: 'cursor' });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=501', 'limit'],
    ['offset=10001', 'offset'],
    ['limit=abc', 'limit'],
    ['colour=red', 'colour'],
  ])('rejects the query %s with InvalidQueryParam naming %s', async (query, field) => {
    const token = await tokenFor(newTenant(), ['admin']);

    const res = await api(`/projects?${query}`, { token });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidQueryParam', field });
  });

  it('lets a project-scoped token read its project but not list or create', async () => {
    const tenant = newTenant();
    const key = uniqueKey();
    await api('/projects', { token: await tokenFor(tenant, ['admin']), body: { key } });
    const scoped = await tokenFor(tenant, [`view_connectors_deployments:${key}`]);

    expect((await api(`/projects/${key}`, { token: scoped })).status).toBe(200);
    expect((await api('/projects', { token: scoped })).status).toBe(403);
    expect((await api('/projects', { token: scoped, body: { key: uniqueKey() } })).status).toBe(403);
  });
});
