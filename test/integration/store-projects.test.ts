/**
 * The BigCommerce dialect's projects, over real HTTP with store access tokens (X-Auth-Token),
 * as the Catalyst CLI calls them.
 */
import { describe, expect, it } from 'vitest';
import { newStore } from '../fixtures/stores.ts';
import { api, tokenFor } from '../helpers.ts';

const MANAGE = 'store_infrastructure_projects_manage';
const READ = 'store_infrastructure_projects_read_only';

const store = (scopes = [MANAGE]) => newStore(scopes);

const BC_ERROR_TYPE = expect.stringContaining('bigcommerce.com');

describe('BigCommerce projects', () => {
  it('creates a project (200, {data, meta: {}}) and reads it back by uuid', async () => {
    const { call } = await store();

    const created = await call('/projects', { body: { name: 'my-storefront' } });
    expect(created.status).toBe(200);
    const body = await created.json();
    expect(body).toEqual({
      data: {
        uuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
        name: 'my-storefront',
        deployment_hostnames: [],
        date_created: expect.any(String),
        date_modified: expect.any(String),
      },
      meta: {},
    });

    const fetched = await call(`/projects/${body.data.uuid}`);
    expect(fetched.status).toBe(200);
    expect(await fetched.json()).toEqual(body);
  });

  it('is the same project in the Connect dialect, under its lower-case name as key', async () => {
    const { hash, call } = await store();
    const { data } = await (await call('/projects', { body: { name: 'Catalyst.Shop' } })).json();
    const connect = await api('/projects', { token: await tokenFor(hash, ['admin']) });

    const [project] = (await connect.json()).results;
    expect(project).toMatchObject({ id: data.uuid, name: 'Catalyst.Shop' });
    expect(project.key).toMatch(/^catalyst_shop-[0-9a-f]{8}$/);
  });

  it("gives a project named like one of the API's own paths a key of its own", async () => {
    const { hash, call } = await store();
    expect((await call('/projects', { body: { name: 'Stores' } })).status).toBe(200);

    const connect = await api('/projects', { token: await tokenFor(hash, ['admin']) });
    expect((await connect.json()).results[0].key).toMatch(/^stores-[0-9a-f]{8}$/);
  });

  it('refuses a second project of the same name in any case: 409 in the BigCommerce envelope', async () => {
    const { call } = await store();
    await call('/projects', { body: { name: 'Storefront' } });

    const again = await call('/projects', { body: { name: 'storefront' } });
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      status: 409,
      title: expect.stringContaining('storefront'),
      type: BC_ERROR_TYPE,
    });
  });

  it('lets exactly one of concurrent creations of a name win, whatever their case', async () => {
    const { call } = await store();
    const names = ['Race', 'race', 'RACE', 'rAcE', 'race', 'Race'];
    const answers = await Promise.all(names.map((name) => call('/projects', { body: { name } })));

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409, 409, 409]);
    expect((await (await call('/projects')).json()).data).toHaveLength(1);
  });

  it.each([
    ['too short', { name: 'ab' }, 'name'],
    ['too long', { name: 'a'.repeat(33) }, 'name'],
    ['a space', { name: 'my shop' }, 'name'],
    ['no name', {}, 'name'],
    ['an unknown field', { name: 'shop', owner: 'me' }, 'owner'],
  ])('answers %s with 400 naming the field', async (_, draft, field) => {
    const { call } = await store();
    const answer = await call('/projects', { body: draft });

    expect(answer.status).toBe(400);
    const error = await answer.json();
    expect(error).toMatchObject({ status: 400, type: BC_ERROR_TYPE });
    expect(Object.keys(error.errors)).toEqual([field]);
  });

  it('lists with cursor pagination, forwards and back, with filters kept in the links', async () => {
    const { call } = await store();
    const names = ['alpha-1', 'alpha-2', 'alpha-3', 'beta-1', 'alpha-4'];
    const uuids: string[] = [];
    for (const name of names)
      uuids.push((await (await call('/projects', { body: { name } })).json()).data.uuid);

    const first = await (await call('/projects?limit=2&name:like=ALPHA')).json();
    expect(first.data.map((p: { name: string }) => p.name)).toEqual(['alpha-1', 'alpha-2']);
    expect(first.meta.cursor_pagination).toMatchObject({ count: 2, per_page: 2 });
    expect(first.meta.cursor_pagination.links.previous).toBeNull();
    const next = first.meta.cursor_pagination.links.next;
    expect(next).toContain('name%3Alike=ALPHA');

    const second = await (await call(`/projects${next}`)).json();
    expect(second.data.map((p: { name: string }) => p.name)).toEqual(['alpha-3', 'alpha-4']);
    expect(second.meta.cursor_pagination.links.next).toBeNull();

    const back = await (await call(`/projects${second.meta.cursor_pagination.links.previous}`)).json();
    expect(back.data.map((p: { name: string }) => p.name)).toEqual(['alpha-1', 'alpha-2']);

    const some = await (await call(`/projects?uuid:in=${uuids[3]},${uuids[0]}`)).json();
    expect(some.data.map((p: { name: string }) => p.name)).toEqual(['alpha-1', 'beta-1']);

    const none = await (await call('/projects?date_created:min=2999-01-01')).json();
    expect(none).toEqual({
      data: [],
      meta: {
        cursor_pagination: {
          count: 0,
          per_page: 50,
          start_cursor: null,
          end_cursor: null,
          links: { previous: null, next: null },
        },
      },
    });
  });

  it('answers a bad query with 400 naming the parameter', async () => {
    const { call } = await store();
    for (const [query, field] of [
      ['limit=0', 'limit'],
      ['after=nope', 'after'],
      ['date_modified:max=yesterday', 'date_modified:max'],
    ]) {
      const answer = await call(`/projects?${query}`);
      expect(answer.status, query).toBe(400);
      expect(JSON.stringify(await answer.json()), query).toContain(field);
    }
  });

  it("hides another store's projects: 404 for its paths, nothing in listings", async () => {
    const mine = await store();
    const theirs = await store();
    const { data } = await (await theirs.call('/projects', { body: { name: 'secret-shop' } })).json();

    const byUuid = await mine.call(`/projects/${data.uuid}`);
    expect(byUuid.status).toBe(404);
    expect(await byUuid.json()).toMatchObject({ status: 404, type: BC_ERROR_TYPE });
    // My token on their store's path.
    const crossed = await api(`/stores/${theirs.hash}/v3/infrastructure/projects`, {
      headers: { 'x-auth-token': mine.token },
    });
    expect(crossed.status).toBe(404);
    expect((await (await mine.call('/projects')).json()).data).toEqual([]);
  });

  it('answers 401 without a valid token and 403 without the scope, in the BigCommerce envelope', async () => {
    const reader = await store([READ]);
    const noToken = await api(`/stores/${reader.hash}/v3/infrastructure/projects`);
    expect(noToken.status).toBe(401);
    expect(await noToken.json()).toMatchObject({ status: 401, type: BC_ERROR_TYPE });

    const badToken = await reader.call('/projects', { token: 'slw_not-a-token' });
    expect(badToken.status).toBe(401);

    expect((await reader.call('/projects')).status).toBe(200);
    const write = await reader.call('/projects', { body: { name: 'not-allowed' } });
    expect(write.status).toBe(403);
    expect(await write.json()).toMatchObject({ status: 403, type: BC_ERROR_TYPE });
  });
});
