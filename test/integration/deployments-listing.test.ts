import { beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../functions/core/deployments/model.ts';
import { newId, newTimeOrderedId } from '../../functions/core/shared/ids.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
const projectKey = uniqueKey('list');
const COUNT = 1000;
let token: string;
const ids: string[] = [];

/**
 * A deployment as the repository stores it. Seeding goes through the repository (the same
 * transaction as the API: deployment, key, lock and count) with a lease that has already run
 * out, so each create legitimately takes the lock over from the one before.
 */
const seed = async (projectId: string, i: number) => {
  const id = newTimeOrderedId();
  const at = new Date().toISOString();
  const deployment: Deployment = {
    id,
    tenant,
    projectId,
    projectKey,
    key: `d-${String(COUNT - i).padStart(4, '0')}`,
    version: 1,
    type: i % 2 === 0 ? 'sandbox' : 'production',
    connector: {
      id: 'c',
      version: 1,
      name: 'c',
      integrationTypes: i % 3 === 0 ? ['psp'] : ['tax'],
      creator: { email: 'dev@example.com' },
      source: { type: 'git', url: 'https://git.example.com/r.git', tag: 'v1' },
      configurations: [],
      certified: false,
      supportedRegions: [],
      staged: false,
      objectKey: 'x.zip',
    },
    details: { build: { id: newId(), report: { entries: [] } } },
    deployedRegion: 'local',
    applications: [],
    status: 'Deployed',
    skipScripts: false,
    createdAt: at,
    lastModifiedAt: at,
  };
  await deploymentDeps.deployments.create(
    deployment,
    {
      projectId,
      deploymentId: id,
      operation: 'deploy',
      operationId: id,
      leaseExpiresAt: '1970-01-01T00:00:00.000Z',
    },
    at,
  );
  ids.push(id);
};

const page = async (query: string): Promise<JsonBody> => {
  const res = await api(`/${projectKey}/deployments?${query}`, { token });
  expect(res.status).toBe(200);
  return res.json();
};

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  const project = await (await api('/projects', { token, body: { key: projectKey } })).json();
  for (let i = 0; i < COUNT; i++) await seed(project.id, i);
}, 120_000);

describe(`listing ${COUNT} deployments`, () => {
  it.each(['createdAt asc', 'createdAt desc', 'key asc'])(
    'walks every offset page once (sort=%s), with the right total',
    async (sort) => {
      const seen: string[] = [];
      for (let offset = 0; offset < COUNT; offset += 100) {
        const body = await page(`limit=100&offset=${offset}&sort=${encodeURIComponent(sort)}`);
        expect(body).toMatchObject({ limit: 100, offset, count: 100, total: COUNT });
        seen.push(...body.results.map((d: { id: string }) => d.id));
      }

      expect(new Set(seen).size).toBe(COUNT);
      const expected =
        sort === 'createdAt desc' ? [...ids].reverse() : sort === 'key asc' ? [...ids].reverse() : ids;
      expect(seen).toEqual(expected);
    },
  );

  it('walks every cursor page once, ending without a cursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const body = await page(`limit=150${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.results.map((d: { id: string }) => d.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(Math.ceil(COUNT / 150));
    expect(seen).toEqual(ids);
  });

  it('filters by deploymentType and integrationTypes, counting only matches', async () => {
    const production = await page('deploymentType=production&limit=500');
    const psp = await page('integrationTypes=psp&limit=500');

    expect(production.total).toBe(COUNT / 2);
    expect(production.results.every((d: { type: string }) => d.type === 'production')).toBe(true);
    expect(psp.total).toBe(Math.ceil(COUNT / 3));
    expect(psp.count).toBe(Math.ceil(COUNT / 3));
  });

  it('refuses a cursor from another listing', async () => {
    const forged = Buffer.from(JSON.stringify({ PK: 'PROJECT#someone-else', SK: 'DEPLOYMENT#x' })).toString(
      'base64url',
    );

    const res = await api(`/${projectKey}/deployments?cursor=${forged}`, { token });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidQueryParam', field: 'cursor' });
  });
});
