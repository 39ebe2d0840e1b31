import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiResponse, api, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
let token: string;

const creator = { email: 'dev@example.com', name: 'Dev', company: 'Acme' };
const repository = { url: 'https://git.example.com/acme/connector.git', tag: 'v1.0.0' };

const draftBody = (overrides: Record<string, unknown> = {}) => ({
  key: uniqueKey('conn'),
  name: 'Payment connector',
  creator,
  repository,
  ...overrides,
});

const createDraft = async (overrides: Record<string, unknown> = {}, as = token) => {
  const res = await api('/connectors/drafts', { token: as, body: draftBody(overrides) });
  expect(res.status).toBe(201);
  return res.json();
};

const update = (ref: string, version: number, actions: unknown[], as = token) =>
  api(`/connectors/drafts/${ref}`, { token: as, body: { version, actions } });

beforeAll(async () => {
  token = await tokenFor(tenant, ['manage_connectors']);
});

describe('connector drafts', () => {
  it('creates a ConnectorStaged from a repository and reads it by id and by key', async () => {
    const body = draftBody({ integrationTypes: ['psp'], supportedRegions: ['local'] });

    const created = await api('/connectors/drafts', { token, body });
    const draft = await created.json();
    const byId = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();
    const byKey = await (await api(`/connectors/drafts/key=${body.key}`, { token })).json();

    expect(created.status).toBe(201);
    expect(draft).toMatchObject({
      key: body.key,
      version: 1,
      name: 'Payment connector',
      description: '',
      integrationTypes: ['psp'],
      creator,
      repository,
      configurations: [],
      private: true,
      privateProjects: [],
      supportedRegions: ['local'],
      status: 'Draft',
      alreadyListed: false,
      hasChanges: true,
      isPreviewable: 'none',
    });
    expect(byId).toEqual(draft);
    expect(byKey).toEqual(draft);
  });

  it('keeps connector keys unique across the server, so key= references are unambiguous', async () => {
    const { key } = await createDraft();
    const otherTenant = await tokenFor(newTenant(), ['manage_connectors']);

    const res = await api('/connectors/drafts', { token: otherTenant, body: draftBody({ key }) });

    expect(res.status).toBe(409);
    expect((await res.json()).errors[0]).toMatchObject({
      code: 'DuplicateField',
      field: 'key',
      duplicateValue: key,
    });
  });

  it('accepts the older creator field noOfDevelopers as noOfContributors', async () => {
    const draft = await createDraft({ creator: { ...creator, noOfDevelopers: 4 } });

    expect(draft.creator).toEqual({ ...creator, noOfContributors: 4 });
  });

  it.each([
    [{ creator: { name: 'no email' } }, 'creator.email'],
    [{ repository: undefined }, 'repository'],
    [{ artifact: { projectKey: 'shop', uploadId: '00000000-0000-4000-8000-000000000000' } }, 'repository'],
    [{ repository: { url: 'https://git.example.com/r.git', tag: '--upload-pack=evil' } }, 'repository.tag'],
    [{ repository: { url: 'https://user:secret@git.example.com/r.git', tag: 'v1' } }, 'repository.url'],
    [{ repository: { url: 'ftp://git.example.com/r.git', tag: 'v1' } }, 'repository.url'],
    [{ integrationTypes: ['telepathy'] }, 'integrationTypes.0'],
    [{ privateProjects: ['no-region'] }, 'privateProjects.0'],
    [{ documentationUrl: 'javascript:alert(1)' }, 'documentationUrl'],
    [{ logo: 'x' }, 'logo'],
  ])('rejects %j naming %s', async (overrides, field) => {
    const res = await api('/connectors/drafts', { token, body: draftBody(overrides) });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field });
  });

  it('answers 404 for a missing draft and for another tenant’s draft, by id and by key', async () => {
    const draft = await createDraft();
    const stranger = await tokenFor(newTenant(), ['manage_connectors']);

    const responses = await Promise.all([
      api('/connectors/drafts/00000000-0000-4000-8000-000000000000', { token }),
      api(`/connectors/drafts/key=${uniqueKey('none')}`, { token }),
      api(`/connectors/drafts/${draft.id}`, { token: stranger }),
      api(`/connectors/drafts/key=${draft.key}`, { token: stranger }),
      update(draft.id, 1, [{ action: 'setName', name: 'mine now' }], stranger),
    ]);

    expect(responses.map((r) => r.status)).toEqual([404, 404, 404, 404, 404]);
  });
});

describe('updating a draft', () => {
  it('applies every metadata action in one update and bumps the version once', async () => {
    const draft = await createDraft();

    const res = await update(draft.id, 1, [
      { action: 'setName', name: 'Renamed' },
      { action: 'setDescription', description: 'Takes payments' },
      { action: 'setIntegrationTypes', integrationTypes: ['psp', 'tax'] },
      { action: 'setDocumentationUrl', documentationUrl: 'https://docs.example.com' },
      { action: 'setSupportedRegions', regions: ['local', 'eu-west-1.aws'] },
      { action: 'setCreatorName', creatorName: 'Ada' },
      { action: 'setCreatorTitle', creatorTitle: 'CTO' },
      { action: 'setCreatorEmail', creatorEmail: 'ada@example.com' },
      { action: 'setCreatorCompany', creatorCompany: 'Analytical' },
      { action: 'setCreatorLogo', logoUrl: 'https://example.com/logo.png' },
      { action: 'setCreatorNoOfContributors', creatorNoOfContributors: 3 },
      { action: 'setCreatorSupportUrl', creatorSupportUrl: 'https://example.com/support' },
      { action: 'addPrivateProject', privateProject: 'local:shop-a' },
      { action: 'addPrivateProject', privateProject: 'local:shop-b' },
      { action: 'removePrivateProject', privateProject: 'local:shop-a' },
      { action: 'setRepository', tag: 'v2.0.0' },
    ]);
    const updated = await res.json();

    expect(res.status).toBe(200);
    expect(updated).toMatchObject({
      version: 2,
      name: 'Renamed',
      description: 'Takes payments',
      integrationTypes: ['psp', 'tax'],
      documentationUrl: 'https://docs.example.com',
      supportedRegions: ['local', 'eu-west-1.aws'],
      creator: {
        name: 'Ada',
        title: 'CTO',
        email: 'ada@example.com',
        company: 'Analytical',
        logoUrl: 'https://example.com/logo.png',
        noOfContributors: 3,
        supportUrl: 'https://example.com/support',
      },
      privateProjects: ['local:shop-b'],
      repository: { url: repository.url, tag: 'v2.0.0' },
    });
    expect((await (await api(`/connectors/drafts/${draft.id}`, { token })).json()).version).toBe(2);
  });

  it('applies all actions or none: a refused later action leaves the draft unchanged', async () => {
    const draft = await createDraft();

    // manage_connectors alone gives no right to a project's uploads.
    const res = await update(draft.id, 1, [
      { action: 'setName', name: 'Half applied?' },
      { action: 'setArtifact', projectKey: 'shop', uploadId: '00000000-0000-4000-8000-000000000000' },
    ]);
    const after = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();

    expect(res.status).toBe(403);
    expect((await res.json()).errors[0].code).toBe('AuthorizationError');
    expect(after).toMatchObject({ version: 1, name: draft.name });
  });

  it('answers 409 ConcurrentModification naming both versions for a stale version', async () => {
    const draft = await createDraft();
    await update(draft.id, 1, [{ action: 'setName', name: 'first' }]);

    const res = await update(draft.id, 1, [{ action: 'setName', name: 'second' }]);

    expect(res.status).toBe(409);
    expect((await res.json()).errors[0]).toMatchObject({
      code: 'ConcurrentModification',
      expectedVersion: 1,
      currentVersion: 2,
    });
  });

  it('lets exactly one of ten concurrent updates of the same version win', async () => {
    const draft = await createDraft();

    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => update(draft.id, 1, [{ action: 'setName', name: `writer ${i}` }])),
    );
    const winners = responses.filter((r) => r.status === 200);
    const after = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();

    expect(winners).toHaveLength(1);
    expect(responses.filter((r) => r.status === 409)).toHaveLength(9);
    expect(after.version).toBe(2);
    expect(after.name).toBe((await (winners[0] as ApiResponse).json()).name);
  });

  it.each([
    [[{ action: 'teleport' }], 'actions.0.action'],
    [[{ action: 'setName' }], 'actions.0.name'],
    [[{ action: 'publish', certification: 'yes' }], 'actions.0.certification'],
    [[], 'actions'],
  ])('rejects actions %j naming %s', async (actions, field) => {
    const draft = await createDraft();

    const res = await update(draft.id, 1, actions);

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field });
  });

  it('refuses a repository URL scheme this server does not fetch, naming the action field', async () => {
    const draft = await createDraft();

    const res = await update(draft.id, 1, [
      { action: 'setRepository', url: 'ssh://git@host/r.git', tag: 'v1' },
    ]);

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field: 'actions.0.url' });
  });
});

describe('deleting a draft', () => {
  it('needs the current version, then removes the draft and frees its key', async () => {
    const draft = await createDraft();

    const stale = await api(`/connectors/drafts/${draft.id}?version=7`, { token, method: 'DELETE' });
    const missingVersion = await api(`/connectors/drafts/${draft.id}`, { token, method: 'DELETE' });
    const deleted = await api(`/connectors/drafts/key=${draft.key}?version=1`, { token, method: 'DELETE' });
    const after = await api(`/connectors/drafts/${draft.id}`, { token });
    const reused = await api('/connectors/drafts', { token, body: draftBody({ key: draft.key }) });

    expect(stale.status).toBe(409);
    expect(missingVersion.status).toBe(400);
    expect((await missingVersion.json()).errors[0]).toMatchObject({
      code: 'InvalidQueryParam',
      field: 'version',
    });
    expect(deleted.status).toBe(200);
    expect((await deleted.json()).id).toBe(draft.id);
    expect(after.status).toBe(404);
    expect(reused.status).toBe(201);
  });
});

describe('listing drafts', () => {
  const listTenant = newTenant();
  let listToken: string;

  beforeAll(async () => {
    listToken = await tokenFor(listTenant, ['manage_connectors']);
    for (const [name, types] of [
      ['Bravo', ['psp']],
      ['alpha', ['tax']],
      ['Charlie', ['psp', 'erp']],
    ] as const) {
      await createDraft({ name, integrationTypes: types }, listToken);
    }
  });

  it('pages with limit and offset and sorts by the requested fields', async () => {
    const page = await (
      await api('/connectors/drafts?limit=2&offset=1&sort=name%20desc', { token: listToken })
    ).json();
    const all = await (await api('/connectors/drafts?sort=name', { token: listToken })).json();

    expect(page).toMatchObject({ limit: 2, offset: 1, count: 2, total: 3 });
    expect(page.results.map((d: { name: string }) => d.name)).toEqual(['Bravo', 'alpha']);
    expect(all.results.map((d: { name: string }) => d.name)).toEqual(['alpha', 'Bravo', 'Charlie']);
  });

  it('filters by integrationTypes (any of, repeatable) and isPrivate', async () => {
    const psp = await (
      await api('/connectors/drafts?integrationTypes=psp&sort=name', { token: listToken })
    ).json();
    const either = await (
      await api('/connectors/drafts?integrationTypes=tax&integrationTypes=erp', { token: listToken })
    ).json();
    const certified = await (await api('/connectors/drafts?isPrivate=false', { token: listToken })).json();

    expect(psp.results.map((d: { name: string }) => d.name)).toEqual(['Bravo', 'Charlie']);
    expect(either.total).toBe(2);
    expect(certified.total).toBe(0);
  });

  it('shows a tenant only its own drafts', async () => {
    const other = await tokenFor(newTenant(), ['view_connectors']);

    const page = await (await api('/connectors/drafts', { token: other })).json();

    expect(page).toMatchObject({ total: 0, results: [] });
  });

  it.each([
    ['sort=size%20asc', 'sort'],
    ['limit=501', 'limit'],
    ['isPrivate=maybe', 'isPrivate'],
    ['colour=red', 'colour'],
  ])('rejects ?%s naming %s', async (query, field) => {
    const res = await api(`/connectors/drafts?${query}`, { token: listToken });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidQueryParam', field });
  });
});

describe('connector scopes', () => {
  it('lets view_connectors read but not write, and project scopes do neither', async () => {
    const draft = await createDraft();
    const viewer = await tokenFor(tenant, ['view_connectors']);
    const projectOnly = await tokenFor(tenant, ['manage_project:shop']);

    const responses = await Promise.all([
      api(`/connectors/drafts/${draft.id}`, { token: viewer }),
      api('/connectors/drafts', { token: viewer, body: draftBody() }),
      update(draft.id, 1, [{ action: 'setName', name: 'x' }], viewer),
      api(`/connectors/drafts/${draft.id}?version=1`, { token: viewer, method: 'DELETE' }),
      api(`/connectors/drafts/${draft.id}`, { token: projectOnly }),
      api('/connectors/search', { token: projectOnly }),
    ]);

    expect(responses.map((r) => r.status)).toEqual([200, 403, 403, 403, 403, 403]);
  });
});
