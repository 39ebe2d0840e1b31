import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type * as z from 'zod';
import { allOperations } from '../../functions/http/openapi.ts';
import { ROUTES, type RouteDefinition, routeKey } from '../../functions/http/routes.ts';
import { parseQueryString } from '../../functions/http/validation.ts';
import { api } from '../helpers.ts';
import { changes } from './fuzz/fixtures.ts';
import { jsonSchemaOf, serializeQuery, validOf } from './fuzz/schema-arbitraries.ts';
import {
  hasRoute,
  identifiersOf,
  makeTenantA,
  makeTenantB,
  oauthCall,
  snapshotOf,
  type TenantA,
  type TenantB,
} from './tenancy/fixtures.ts';

/**
 * The cross-tenant matrix: tenant A, holding every scope there is, tries every route of the
 * route table on tenant B's resources, with each kind of credential (a Connect bearer token and
 * a BigCommerce store token). Every answer is 404 or 403 (200 for a listing of A's own tenant),
 * none carries B's identifiers or data, and B's resources read back unchanged afterwards.
 *
 * The routes come from `ROUTES`, so a route added later is tried without a line here; a path
 * parameter with no value of B below fails the test, naming the route. Public routes are left
 * out only with a stated reason; the OAuth routes that take client credentials have their own
 * case at the end.
 */

const CANARY = inject('canary');
const SPECS = allOperations();

/** Public routes (no authorizer), and why the matrix does not try them. */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health': 'names no tenant and answers the same to everyone',
  'GET /openapi.json': 'the same document for everyone',
  'POST /oauth/token':
    'authenticated by client credentials, answers only about the client itself (test/integration/auth-matrix.test.ts)',
  'POST /oauth/revoke': 'client-authenticated: its cross-tenant case is "OAuth routes" below',
  'POST /oauth/introspect': 'client-authenticated: its cross-tenant case is "OAuth routes" below',
  'ANY /sites/{project_uuid}': "a project's website is public by design (it is what the site serves)",
  'ANY /sites/{project_uuid}/{proxy+}':
    "a project's website is public by design (it is what the site serves)",
  'ANY /apps/{projectKey}/{deploymentId}/{applicationName}':
    "a service's stable address is public by design, as its function URL was; it names a deployment id, so tenants' alike keys never share one (test/integration/revisions.test.ts)",
  'ANY /apps/{projectKey}/{deploymentId}/{applicationName}/{proxy+}':
    "a service's stable address is public by design, as its function URL was; it names a deployment id, so tenants' alike keys never share one (test/integration/revisions.test.ts)",
};

type Credential = 'connect' | 'store';

/**
 * What a cell is about: `foreign`, the path names B's resource (404 or 403); `own-read`, a read
 * of A's own tenant (200, or 404/403 when a filter names B's resource); `own-ref`, a write in
 * A's tenant whose body or query points at B's resource (refused); `own-write`, a write in A's
 * own tenant that names nothing of B's, or only a name B also uses (accepted: names are per tenant).
 */
type Kind = 'foreign' | 'own-read' | 'own-ref' | 'own-write';

interface Cell {
  route: string;
  /** Served by a streaming function, which takes X-Auth-Token only (see `streaming` in routes.ts). */
  streaming: boolean;
  method: string;
  credential: Credential;
  path: string;
  query: string;
  body?: unknown;
  kind: Kind;
}

/** A path parameter's values: B's (each tried), and A's own (tried with B's value in another parameter). */
interface ParamValues {
  b: string[];
  a?: string;
}

/** Tenant B's real value for each path parameter name. */
const paramValues = (a: TenantA, b: TenantB): Record<string, ParamValues> => ({
  projectKey: { b: [b.projectKey, b.storeProjectKey], a: a.projectKey },
  uploadId: { b: [b.uploadId] },
  draftRef: { b: [b.draftId, `key=${b.draftKey}`] },
  connectorRef: { b: [b.connectorId, `key=${b.draftKey}`] },
  deploymentRef: { b: [b.deploymentId, `key=${b.deploymentKey}`, b.storeDeploymentUuid] },
  revision: { b: ['1'] },
  store_hash: { b: [b.tenant], a: a.tenant },
  project_uuid: { b: [b.storeProjectUuid, b.projectId], a: a.storeProjectUuid },
  deployment_uuid: { b: [b.storeDeploymentUuid, b.deploymentId] },
  clientId: { b: b.clients.map((c) => c.id) },
  token_id: { b: b.storeTokens.map((t) => t.id) },
  webhookId: { b: b.webhooks ? [b.webhooks.connectId, b.webhooks.storeId] : [] },
  deliveryId: { b: b.webhooks ? [b.webhooks.connectDeliveryId] : [] },
  webhook_uuid: { b: b.webhooks ? [b.webhooks.storeId, b.webhooks.connectId] : [] },
  delivery_uuid: { b: b.webhooks ? [b.webhooks.storeDeliveryId] : [] },
});

/**
 * What a request carries besides its path. `refersToB`: the body or query points at one of
 * B's resources, so the request is tried with A's own path too; `collides`: it only reuses a
 * name of B's, tried in A's tenant (last: it makes A a resource named like B's).
 */
interface Extra {
  query?: string;
  body?: unknown;
  refersToB?: true;
  collides?: true;
}

const STORE = '/stores/{store_hash}/v3/infrastructure';

/** Bodies and queries that would be valid on B's resources, so a refusal is about the tenant. */
const extrasByRoute = (a: TenantA, b: TenantB): Record<string, Extra[]> => ({
  'POST /projects': [{ body: { key: b.projectKey, name: 'A project' }, collides: true }],
  'POST /{projectKey}/uploads': [{ body: { contentType: 'application/zip' } }],
  'POST /connectors/drafts': [
    {
      body: {
        name: 'A connector',
        creator: { email: 'a@example.com' },
        artifact: { projectKey: b.projectKey, uploadId: b.uploadId },
      },
      refersToB: true,
    },
    {
      body: {
        name: 'A connector',
        creator: { email: 'a@example.com' },
        artifact: { projectKey: a.projectKey, uploadId: b.uploadId },
      },
      refersToB: true,
    },
  ],
  'GET /connectors/search': [
    {},
    { query: `key=${b.draftKey}`, refersToB: true },
    { query: `id=${b.connectorId}`, refersToB: true },
    { query: 'text=B%20connector', refersToB: true },
  ],
  'POST /connectors/drafts/{draftRef}': [
    { body: { version: b.draftVersion, actions: [{ action: 'setName', name: 'renamed by A' }] } },
    { body: { version: b.draftVersion, actions: [{ action: 'publish', certification: true }] } },
  ],
  'DELETE /connectors/drafts/{draftRef}': [{ query: `version=${b.draftVersion}` }],
  'POST /{projectKey}/deployments': [
    {
      body: {
        key: 'a-deployment',
        artifact: { uploadId: b.uploadId },
        region: 'local',
        configurations: [
          { applicationName: 'service', securedConfiguration: [{ key: 'SECRET_TOKEN', value: 'a-secret' }] },
        ],
      },
      refersToB: true,
    },
    {
      body: {
        key: 'a-deployment',
        connector: { key: b.draftKey },
        region: 'local',
        configurations: [
          { applicationName: 'service', securedConfiguration: [{ key: 'SECRET_TOKEN', value: 'a-secret' }] },
        ],
      },
      refersToB: true,
    },
  ],
  'POST /{projectKey}/deployments/{deploymentRef}': [
    { body: { version: b.deploymentVersion, actions: [{ action: 'redeploy', skipScripts: true }] } },
    { body: { version: b.deploymentVersion, actions: [{ action: 'cancel' }] } },
  ],
  'DELETE /{projectKey}/deployments/{deploymentRef}': [{ query: 'skipScripts=true' }],
  [`GET ${STORE}/projects`]: [{}, { query: `uuid:in=${b.storeProjectUuid}`, refersToB: true }],
  [`POST ${STORE}/projects`]: [{ body: { name: b.storeProjectName }, collides: true }],
  [`DELETE ${STORE}/projects`]: [{ query: `project_uuid:in=${b.storeProjectUuid}`, refersToB: true }],
  [`POST ${STORE}/deployments`]: [
    {
      body: {
        upload_uuid: b.storeUploadUuid,
        project_uuid: b.storeProjectUuid,
        environment_variables: [{ type: 'plain_text', key: 'GREETING', value: 'from A' }],
      },
      refersToB: true,
    },
    { body: { upload_uuid: b.storeUploadUuid, project_uuid: a.storeProjectUuid }, refersToB: true },
  ],
  [`GET ${STORE}/deployments`]: [{ query: `project_uuid=${b.storeProjectUuid}`, refersToB: true }],
  'POST /api-clients': [{ body: { name: 'A client', scope: 'view_connectors' } }],
  [`POST ${STORE}/access-tokens`]: [
    { body: { name: 'a-token', scopes: ['store_infrastructure_projects_read_only'] } },
  ],
});

/** A value its schema accepts, for a route this file has no body or query for yet. */
const generated = (schema: z.ZodType): unknown =>
  fc
    .sample(validOf(jsonSchemaOf(schema)), { numRuns: 200, seed: 20 })
    .find((value) => schema.safeParse(value).success);

/** The extras of a route: this file's, or (a new route) a body and query generated from its schemas. */
const extrasOf = (route: RouteDefinition, known: Record<string, Extra[]>): Extra[] => {
  const mine = known[routeKey(route)];
  if (mine) return mine;
  const spec = SPECS[routeKey(route)];
  const query = spec?.query && !spec.query.safeParse({}).success ? generated(spec.query) : undefined;
  return [
    {
      ...(spec?.body ? { body: generated(spec.body) } : {}),
      ...(query === undefined ? {} : { query: serializeQuery(query) }),
    },
  ];
};

const paramsOf = (path: string) => [...path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] ?? '');

/** Every combination of values for `names`, with at least one of B's (all of A's is not cross-tenant). */
const assignments = (names: string[], values: Record<string, ParamValues>) => {
  let out: { params: Record<string, string>; foreign: boolean }[] = [{ params: {}, foreign: false }];
  for (const name of names) {
    const own = values[name]?.a;
    out = out.flatMap((partial) => [
      ...(values[name]?.b ?? []).map((v) => ({ params: { ...partial.params, [name]: v }, foreign: true })),
      ...(own === undefined
        ? []
        : [{ params: { ...partial.params, [name]: own }, foreign: partial.foreign }]),
    ]);
  }
  return out;
};

/** `key=<key>` is written as clients write it, unescaped. */
const fill = (path: string, params: Record<string, string>) =>
  path.replace(/\{(\w+)\+?\}/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? '').replaceAll('%3D', '='),
  );

const READS = new Set(['GET', 'HEAD']);

/**
 * Each route is tried with both kinds of credential (the dialect's own first). A write that
 * takes a name of B's is sent once, with the dialect's own: the second would meet the first's
 * resource in A's own tenant (409), which says nothing about B.
 */
const credentialsFor = (route: RouteDefinition, extra: Extra): Credential[] => {
  const own: Credential = route.path.startsWith('/stores/') ? 'store' : 'connect';
  const other: Credential = own === 'store' ? 'connect' : 'store';
  return extra.collides ? [own] : [own, other];
};

/** The matrix: each route of the table × B's values × extras × credential (GET routes also as HEAD). */
const cellsOf = (a: TenantA, b: TenantB): Cell[] => {
  const values = paramValues(a, b);
  const known = extrasByRoute(a, b);
  const cells: Cell[] = [];
  for (const route of ROUTES) {
    if (route.scopes === null) continue;
    const names = paramsOf(route.path);
    if (names.some((n) => (values[n]?.b.length ?? 0) === 0)) continue;
    for (const extra of extrasOf(route, known)) {
      for (const { params, foreign } of assignments(names, values)) {
        const own = names.length === 0 || extra.refersToB || extra.collides;
        if (!foreign && !own) continue;
        for (const method of route.method === 'GET' ? ['GET', 'HEAD'] : [route.method]) {
          const kind: Kind = foreign
            ? 'foreign'
            : READS.has(method)
              ? 'own-read'
              : extra.refersToB
                ? 'own-ref'
                : 'own-write';
          for (const credential of credentialsFor(route, extra))
            cells.push({
              route: routeKey(route),
              streaming: route.streaming === true,
              method,
              credential,
              path: fill(route.path, params),
              query: extra.query ?? '',
              ...(extra.body === undefined ? {} : { body: extra.body }),
              kind,
            });
        }
      }
    }
  }
  return cells;
};

/** The statuses each kind of cell may answer; anything else is reported, with the exchange. */
const allowed = (cell: Cell): number[] => {
  // CloudFront replaces Authorization on the streaming functions' URL, so they take X-Auth-Token
  // only: a bearer token is no credential there (401), for A's own store as for B's.
  if (cell.streaming && cell.credential === 'connect') return [401, 403, 404];
  switch (cell.kind) {
    case 'foreign':
      return [403, 404];
    case 'own-read':
      return cell.query === '' ? [200] : [200, 403, 404];
    case 'own-ref':
      // A DELETE filtered on B's resource may delete nothing in A's tenant and say so with a 204.
      return cell.method === 'DELETE' ? [204, 403, 404] : [400, 403, 404];
    case 'own-write':
      return [200, 201];
  }
};

/** Reads before writes, writes before deletes; last, A's writes that take a name B also uses. */
const phaseOf = (cell: Cell) =>
  cell.kind === 'own-write' ? 3 : READS.has(cell.method) ? 0 : cell.method === 'DELETE' ? 2 : 1;

interface Exchange {
  cell: Cell;
  status: number;
  text: string;
}

/** Streams (SSE) of a refused request end at once; one that was not refused would close after seconds. */
const send = async (cell: Cell, a: TenantA): Promise<Exchange> => {
  const headers: Record<string, string> =
    cell.credential === 'connect' ? { authorization: `Bearer ${a.connect}` } : { 'x-auth-token': a.store };
  const target = `${cell.path}${cell.query ? `?${cell.query}` : ''}`;
  const res = await api(target, {
    method: cell.method,
    headers,
    ...(cell.body === undefined ? {} : { body: cell.body }),
  });
  let timer: NodeJS.Timeout | undefined;
  const text = await Promise.race([
    res.text(),
    new Promise<string>((r) => {
      timer = setTimeout(() => r('(still streaming after 10 s)'), 10_000);
    }),
  ]);
  clearTimeout(timer);
  const headerText = [...res.headers].map(([n, v]) => `${n}: ${v}`).join('\n');
  return { cell, status: res.status, text: `${headerText}\n\n${text}` };
};

/** Runs `f` over `items`, `width` at a time, in order of start. */
const pool = async <T, R>(items: T[], width: number, f: (item: T) => Promise<R>): Promise<R[]> => {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await f(items[i] as T);
      }
    }),
  );
  return out;
};

const describeCell = (c: Cell) =>
  `${c.method} ${c.path}${c.query ? `?${c.query}` : ''}${c.body === undefined ? '' : ` ${JSON.stringify(c.body)}`} [${c.credential} token of A, ${c.kind}]`;

/**
 * B's identifiers and data in an answer. An identifier the request itself named may come back
 * as an echo ("'<key>' was not found"); B's data (names, configuration values, secrets) is in
 * no request, so it may never come back. A's scopes name B's project (A chose them), so A's
 * listings of its own credentials show them: they are taken out first.
 */
const leaksIn = (text: string, request: string, ownScopes: string[]): string[] => {
  const sent = `${request}\n${decodeURIComponent(request)}`.toLowerCase();
  const haystack = [...ownScopes]
    .sort((x, y) => y.length - x.length)
    .reduce((t, scope) => t.replaceAll(scope.toLowerCase(), ''), text.toLowerCase());
  return [...identifiersOf(b).filter((id) => !sent.includes(id.toLowerCase())), ...b.data].filter((needle) =>
    haystack.includes(needle.toLowerCase()),
  );
};

/** What is wrong with an answer: its status, or B's identifiers or data in it. */
const problemsOf = ({ cell, status, text }: Exchange): string[] => {
  const out: string[] = [];
  if (!allowed(cell).includes(status)) out.push(`status ${status}, expected ${allowed(cell).join(' or ')}`);
  const seen = leaksIn(text, `${cell.path}?${cell.query} ${JSON.stringify(cell.body ?? null)}`, a.scopes);
  if (seen.length > 0)
    out.push(`answer holds B's ${seen.map((x) => JSON.stringify(x.slice(0, 40))).join(', ')}`);
  return out.map((p) => `${describeCell(cell)} → ${p}: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
};

let a: TenantA;
let b: TenantB;
let before: Record<string, string>;
const stats = {
  routes: new Set<string>(),
  cells: 0,
  byCredential: {} as Record<string, number>,
  byStatus: {} as Record<number, number>,
};
const count = (tally: Record<string, number>, key: string | number) => {
  tally[key] = (tally[key] ?? 0) + 1;
};

beforeAll(async () => {
  b = await makeTenantB(CANARY);
  a = await makeTenantA(b);
  before = await snapshotOf(b);
  // What is compared must not change by itself.
  expect(changes(before, await snapshotOf(b))).toEqual([]);
}, 90_000);

afterAll(() => {
  const left = ROUTES.filter((r) => r.scopes === null).map(routeKey);
  console.log(
    [
      `cross-tenant matrix: ${stats.routes.size} routes covered of ${ROUTES.length}, ${stats.cells} cells (route × B's values × request × credential, GET also as HEAD)`,
      `  by credential ${JSON.stringify(stats.byCredential)}, by status ${JSON.stringify(stats.byStatus)}`,
      `  public routes left out (${left.length}): ${left.map((key) => `${key} (${PUBLIC_ROUTES[key]})`).join('; ')}`,
    ].join('\n'),
  );
});

describe('the cross-tenant matrix, derived from the route table', () => {
  it('has a value of B for every path parameter of every route that needs a credential', () => {
    const values = paramValues(a, b);

    const missing = ROUTES.filter((route) => route.scopes !== null).flatMap((route) =>
      paramsOf(route.path)
        .filter((name) => (values[name]?.b.length ?? 0) === 0)
        .map((name) => `${routeKey(route)}: no value of tenant B for {${name}}`),
    );

    expect(missing).toEqual([]);
  });

  it('states why each public route is left out', () => {
    const unexplained = ROUTES.filter((r) => r.scopes === null && !PUBLIC_ROUTES[routeKey(r)]).map(routeKey);

    expect(unexplained).toEqual([]);
  });

  it('sends bodies and queries the routes accept, so a refusal is about the tenant', () => {
    const cells = cellsOf(a, b);

    const invalid = cells.flatMap((cell) => {
      const spec = SPECS[cell.route];
      const body = spec?.body && spec.bodyType !== 'form' ? spec.body.safeParse(cell.body) : undefined;
      const query = spec?.query?.safeParse(parseQueryString(cell.query));
      return [body, query]
        .filter((r) => r !== undefined && !r.success)
        .map((r) => `${describeCell(cell)}: ${r?.error?.message}`);
    });

    expect(invalid).toEqual([]);
  });

  it("answers tenant A 404 or 403 on B's resources, never B's data, and leaves them unchanged", async () => {
    const cells = cellsOf(a, b);
    const problems: string[] = [];

    for (const phase of [0, 1, 2, 3]) {
      const batch = cells.filter((c) => phaseOf(c) === phase);
      // Reads eight at once, writes four; last, A's writes in its own tenant, one by one.
      const exchanges = await pool(batch, phase === 3 ? 1 : phase === 0 ? 8 : 4, (cell) => send(cell, a));
      for (const exchange of exchanges) {
        stats.routes.add(exchange.cell.route);
        stats.cells++;
        count(stats.byCredential, exchange.cell.credential);
        count(stats.byStatus, exchange.status);
        problems.push(...problemsOf(exchange));
      }
    }
    const after = await snapshotOf(b);

    expect(problems).toEqual([]);
    expect(changes(before, after)).toEqual([]);
    const routesWithCredentials = ROUTES.filter((r) => r.scopes !== null).map(routeKey);
    expect([...stats.routes].sort()).toEqual([...new Set(routesWithCredentials)].sort());
  }, 60_000);
});

describe('OAuth routes that take client credentials', () => {
  it.skipIf(!hasRoute('POST /oauth/introspect'))(
    "answers {active: false} to A's client introspecting B's access token",
    async () => {
      const [target] = b.revocable;
      if (!target) throw new Error('tenant B has no revocable token');

      const foreign = await oauthCall('/oauth/introspect', a.client, `token=${target.accessToken}`);
      const own = await oauthCall('/oauth/introspect', target, `token=${target.accessToken}`);
      const text = await foreign.text();

      expect(foreign.status, text).toBe(200);
      // RFC 7662: nothing more is said about a token the caller may not see.
      expect(JSON.parse(text)).toEqual({ active: false });
      expect(leaksIn(text, `token=${target.accessToken}`, a.scopes)).toEqual([]);
      // The same question from B's own client is answered: the refusal above is about the tenant.
      expect(own.status).toBe(200);
      expect(await own.json()).toMatchObject({ active: true });
    },
  );

  it.skipIf(!hasRoute('POST /oauth/revoke'))(
    "leaves B's access token working after A's client revokes it",
    async () => {
      const [target, control] = b.revocable;
      if (!target || !control) throw new Error('tenant B has no revocable tokens');
      const uses = (token: string) => api(`/projects/${b.projectKey}`, { token });

      const foreign = await oauthCall('/oauth/revoke', a.client, `token=${target.accessToken}`);
      const foreignText = await foreign.text();
      // B revokes its other token itself: once that one fails, A's revocation had as long to act.
      // A revocation reaches every function within seconds, seen only by using the token: polled.
      const own = await oauthCall('/oauth/revoke', control, `token=${control.accessToken}`);
      let controlStatus = 0;
      for (let i = 0; i < 100 && controlStatus !== 401; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        controlStatus = (await uses(control.accessToken)).status;
      }

      expect(foreign.status, foreignText).toBeLessThan(500);
      expect(leaksIn(foreignText, `token=${target.accessToken}`, a.scopes)).toEqual([]);
      expect(own.status).toBe(200);
      expect(controlStatus).toBe(401);
      expect((await uses(target.accessToken)).status).toBe(200);
    },
  );
});
