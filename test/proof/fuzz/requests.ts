import fc from 'fast-check';
import type * as z from 'zod';
import type { OperationSpec } from '../../../functions/http/api-spec.ts';
import { matchRoute, type RouteDefinition } from '../../../functions/http/routes.ts';
import { parseQueryString } from '../../../functions/http/validation.ts';
import type { RawRequest } from './raw-http.ts';
import {
  invalidOf,
  type JsonSchema,
  jsonSchemaOf,
  RAW_QUERIES,
  serializeQuery,
  TRICKY_STRINGS,
  validOf,
} from './schema-arbitraries.ts';

/**
 * Requests generated from the route table and each route's schemas. Every request is a plan
 * first (path parameters, query, body, credentials, headers), then bytes: `plan()` also
 * decides whether the request can only fail, and keeps requests that could succeed away from
 * the resources whose stored data the suite compares before and after (see `protectFixed`).
 */

/** The resources created before the run, the credentials, and where valid writes may land. */
export interface FuzzContext {
  tenant: string;
  otherTenant: string;
  tokens: {
    admin: string;
    store: string;
    otherAdmin: string;
    otherStore: string;
    expired: string;
    /** An admin token of this tenant with its payload rewritten (the signature no longer holds). */
    tampered: string;
    /** `alg: none`, admin of this tenant. */
    unsigned: string;
  };
  /** Compared before and after: only requests that must fail may name them. */
  fixed: {
    projectKey: string;
    uploadId: string;
    draftId: string;
    draftKey: string;
    connectorId: string;
    connectorKey: string;
    deploymentId: string;
    deploymentKey: string;
    storeProjectUuid: string;
    storeDeploymentUuid: string;
  };
  /** Where requests that may succeed go instead (never compared). */
  scratch: {
    projectKey: string;
    draftId: string;
    draftKey: string;
    storeProjectUuid: string;
  };
}

let current: FuzzContext | undefined;

/** The run's resources, known once beforeAll has made them; arbitraries read them as they generate. */
export const useContext = (ctx: FuzzContext): void => {
  current = ctx;
};

const C = (): FuzzContext => {
  if (!current) throw new Error('useContext() was not called before generating requests');
  return current;
};

/** One of the strings `f` answers for the run's context, chosen when a value is generated. */
const pick = (f: (ctx: FuzzContext) => string[]): fc.Arbitrary<string> =>
  fc.nat({ max: 1_000 }).map((i) => {
    const list = f(C());
    return list[i % list.length] ?? '';
  });

export type AuthKind =
  /** Valid for tenant A: an admin bearer token, a store's X-Auth-Token. */
  | 'admin'
  | 'store'
  /** No principal at all: none, expired, forged, garbage. */
  | 'none'
  | 'forged'
  /** Another tenant's: may succeed in its own tenant, never reaches tenant A's data. */
  | 'otherAdmin'
  | 'otherStore'
  /** A valid credential written oddly, or two at once: may or may not be accepted. */
  | 'odd';

const MUTATIONS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** What the pipeline and middy's parser take for JSON (`functions/http/pipeline.ts`, @middy/http-json-body-parser). */
const PIPELINE_JSON = /^application\/(.+\+)?json($|;)/;
const MIDDY_JSON = /^application\/(.+\+)?json($|;.+)/;

export const MARKERS = [
  '\n    at ',
  '/tmp/',
  '/var/tmp',
  '/root',
  '/work/',
  '.slipway',
  'node_modules',
  'node:internal',
];

/** Percent-escapes and `+` undone (as bytes, repeatedly), so a disguised identifier or marker is still seen. */
export const lenientDecode = (s: string): string => {
  let out = s;
  for (let i = 0; i < 3; i++)
    out = out.replace(/%([0-9a-f]{2})/gi, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
  return out.replace(/\+/g, ' ');
};

export interface Planned {
  /** The route the request was generated for (what it may really reach is decided by matchRoute). */
  routeKey: string;
  method: string;
  /** Path parameter name → the segment exactly as written. */
  segments: Record<string, string>;
  pathTemplate: string;
  query: string;
  /** The body as text, or `{ big: n }`: n spaces (kept short so a failure report stays readable). */
  body?: string | { big: number };
  contentType?: string;
  auth: AuthKind;
  authHeaders: [string, string][];
  headers: [string, string][];
  /** A valid body or query except for a version no resource has: must be refused. */
  staleVersion: boolean;
}

export interface Built extends RawRequest {
  routeKey: string;
  auth: AuthKind;
  /** Reaches an operation that writes (its route's method, a route that is not the sites' proxy). */
  mutation: boolean;
  /** Nothing in the request can make it succeed: it must be answered 4xx. */
  mustFail: boolean;
  /** Names a resource whose stored data is compared after the run. */
  touchesFixed: boolean;
}

// ---------------------------------------------------------------------------------------------
// Path parameters

const uuidArb = fc.uuid({ version: [4, 7] });
/** Lone surrogates have no UTF-8 form, so no percent-encoding: they become U+FFFD. */
const wellFormed = (s: string) =>
  s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
const encoded = (a: fc.Arbitrary<string>) => a.map((s) => encodeURIComponent(wellFormed(s)));

/** Segments that have confused routers, decoders and table keys: long, unicode, control, escapes. */
const hostileSegment: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '..',
    '.',
    '..%2f',
    '..%2f..%2fprojects',
    '..%2F..%2F..%2Fhealth',
    '%2e%2e',
    '%2e%2e%2f%2e%2e%2f',
    '%2F',
    'a%2Fb',
    '%',
    '%zz',
    '%e2%98',
    '%25',
    '%00',
    '%0a',
    '%0d%0a',
    '%20',
    '+',
    '%09',
    '*',
    ';',
    ',',
    'key=',
    'key=%00',
    'key=key=x',
    'KEY=x',
    'key=..%2f',
    'key=%2F',
    'key= ',
    'id=x',
    '{}',
    '[]',
    'null',
    'undefined',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    '0',
    '-1',
    '1e309',
    'NaN',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '%E2%80%AE',
    '%EF%BB%BF',
    '\u00e9t\u00e9',
    '\u{1f680}',
  ),
  fc.integer({ min: 2_000, max: 3_000 }).map((n) => 'k'.repeat(n)),
  fc.integer({ min: 2_000, max: 2_500 }).map((n) => `key=${'k'.repeat(n)}`),
  fc.integer({ min: 500, max: 800 }).map((n) => encodeURIComponent('\u20ac'.repeat(n))),
  fc.integer({ min: 505, max: 520 }).map((n) => 'a'.repeat(n)),
  encoded(fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })),
  encoded(fc.constantFrom(...TRICKY_STRINGS.filter((s) => s !== ''))),
  // Raw bytes the HTTP parser should refuse (400) or pass through (unicode).
  fc.constantFrom('\u0001', '\u007f', 'a\u0000b', '\u00e9', '\u4e2d\u6587'),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
);

/** Segment texts for a path parameter, by name; an unknown name (a new route) gets the hostile ones. */
const segmentFor = (name: string): fc.Arbitrary<string> => {
  const known: Record<string, fc.Arbitrary<string>[]> = {
    projectKey: [
      pick((c) => [c.fixed.projectKey, c.scratch.projectKey]),
      fc.stringMatching(/^[a-z0-9-]{2,20}$/),
    ],
    uploadId: [pick((c) => [c.fixed.uploadId]), uuidArb],
    draftRef: [
      pick((c) => [c.fixed.draftId, c.scratch.draftId, c.fixed.connectorId]),
      pick((c) => [`key=${c.fixed.draftKey}`, `key=${c.scratch.draftKey}`]),
      uuidArb,
      uuidArb.map((u) => u.toUpperCase()),
    ],
    connectorRef: [
      pick((c) => [c.fixed.connectorId, c.fixed.draftId]),
      pick((c) => [`key=${c.fixed.connectorKey}`, `key=${c.fixed.draftKey}`]),
      uuidArb,
    ],
    deploymentRef: [pick((c) => [c.fixed.deploymentId, `key=${c.fixed.deploymentKey}`]), uuidArb],
    store_hash: [
      pick((c) => [c.tenant]),
      pick((c) => [c.tenant]),
      pick((c) => [c.otherTenant, c.tenant.toUpperCase(), `${c.tenant}%20`]),
      fc.stringMatching(/^[a-z0-9]{10}$/),
    ],
    project_uuid: [
      pick((c) => [
        c.fixed.storeProjectUuid,
        c.scratch.storeProjectUuid,
        c.fixed.storeProjectUuid.toUpperCase(),
      ]),
      uuidArb,
    ],
    deployment_uuid: [
      pick((c) => [c.fixed.storeDeploymentUuid, c.fixed.storeDeploymentUuid.toUpperCase()]),
      uuidArb,
    ],
  };
  if (name === 'proxy')
    return fc
      .array(
        fc.oneof(
          fc.stringMatching(/^[A-Za-z0-9._~-]{0,12}$/),
          hostileSegment.filter((s) => s.length < 64),
        ),
        {
          maxLength: 4,
        },
      )
      .map((parts) => parts.join('/'));
  const own = known[name] ?? [];
  return fc.oneof(
    ...own.map((arbitrary) => ({ weight: Math.max(1, Math.floor(12 / Math.max(own.length, 1))), arbitrary })),
    { weight: 5, arbitrary: hostileSegment },
  );
};

// ---------------------------------------------------------------------------------------------
// Bodies and queries

/** Request bodies no JSON serializer writes. */
const RAW_BODIES = [
  '{',
  '{"a":',
  '[',
  'null',
  '"x"',
  '""',
  '1',
  'true',
  '{"a":1}x',
  '\ufeff{}',
  "{'a':1}",
  '{"__proto__":{"admin":true}}',
  '{"constructor":{"prototype":{"x":1}}}',
  '{"a":1,"a":2}',
  ' ',
  '\u0000',
  'NaN',
  '{"version":1e400}',
  '{"version":-0}',
  `{"version":${'9'.repeat(400)}}`,
  `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
  `{"a":${'{"a":'.repeat(2_000)}1${'}'.repeat(2_000)}}`,
  '{"key":"\\ud800"}',
  '{"name":"\\u0000"}',
  'grant_type=client_credentials&client_id=x&client_secret=y',
];

const JSON_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json;charset=UTF-8',
  'application/json; charset=iso-8859-1',
  'application/json; charset=utf-16',
  'application/vnd.api+json',
  'application/merge-patch+json',
  'application/json;',
];

const WRONG_TYPES = [
  'APPLICATION/JSON',
  'application/jsonx',
  'application/x-www-form-urlencoded',
  'text/plain',
  'text/json',
  'multipart/form-data; boundary=x',
  'application/octet-stream',
  'application/zip',
  '',
  ';',
  '*/*',
  'application/json, text/plain',
  'application/x-www-form-urlencoded; charset=utf-8',
];

const FORM = 'application/x-www-form-urlencoded';

const formOf = (value: unknown): string => {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return String(value);
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(value)) params.append(k, typeof v === 'string' ? v : JSON.stringify(v));
  return params.toString();
};

/** Known identifiers offered for fields with these names, so bodies and queries name real things. */
const HINTS: Record<string, (c: FuzzContext) => string[]> = {
  key: (c) => [
    c.fixed.projectKey,
    c.fixed.draftKey,
    c.fixed.deploymentKey,
    c.fixed.connectorKey,
    c.scratch.draftKey,
  ],
  projectKey: (c) => [c.fixed.projectKey, c.scratch.projectKey],
  uploadId: (c) => [c.fixed.uploadId],
  upload_uuid: (c) => [c.fixed.uploadId],
  id: (c) => [c.fixed.connectorId, c.fixed.draftId],
  project_uuid: (c) => [c.fixed.storeProjectUuid, c.scratch.storeProjectUuid],
  'project_uuid:in': (c) => [
    `${c.fixed.storeProjectUuid},${c.scratch.storeProjectUuid}`,
    `${c.fixed.storeProjectUuid}, x`,
    c.fixed.storeProjectUuid,
  ],
  'uuid:in': (c) => [`${c.fixed.storeProjectUuid},${c.scratch.storeProjectUuid}`],
  privateProject: (c) => [`${c.tenant}:${c.fixed.projectKey}`],
};

/** Now and then, one hinted field of an object takes a known identifier instead of a generated one. */
const hinted = (arb: fc.Arbitrary<unknown>, s: JsonSchema): fc.Arbitrary<unknown> => {
  if (s.type !== 'object' || !s.properties) return arb;
  const names = Object.keys(s.properties).filter((k) => HINTS[k]);
  if (names.length === 0) return arb;
  const withKnown = fc
    .tuple(arb, fc.constantFrom(...names), fc.nat({ max: 1_000 }))
    .map(([value, name, i]) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const options = HINTS[name]?.(C()) ?? [];
      return { ...value, [name]: options[i % options.length] };
    });
  return fc.oneof({ weight: 3, arbitrary: arb }, { weight: 1, arbitrary: withKnown });
};

/** The top-level `version` a write carries to say which state it updates. */
const hasVersion = (s: JsonSchema | undefined) => s?.type === 'object' && s.properties?.version !== undefined;

// ---------------------------------------------------------------------------------------------
// Credentials and headers

const printable = (max: number) =>
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    maxLength: max,
  });

type Tokens = FuzzContext['tokens'];
type HeaderList = [string, string][];
const bearer = (token: string): HeaderList => [['authorization', `Bearer ${token}`]];
const storeToken = (token: string): HeaderList => [['x-auth-token', token]];

/** Credentials that cannot be tenant A's: absent, forged, expired, truncated, garbage. */
const FORGED: ((t: Tokens) => HeaderList)[] = [
  () => [['authorization', 'Bearer']],
  () => [['authorization', 'Bearer ']],
  () => [['authorization', 'Bearer null']],
  () => [['authorization', 'Bearer a.b.c']],
  () => [['authorization', 'Bearer eyJ']],
  () => [['authorization', 'Basic YTpi']],
  () => [['authorization', 'Basic !!!']],
  () => [['authorization', 'Digest username="a"']],
  () => [['authorization', '']],
  () => [['authorization', `Bearer ${'x'.repeat(4_000)}`]],
  (t) => bearer(t.tampered),
  (t) => bearer(t.unsigned),
  (t) => bearer(t.expired),
  (t) => bearer(`${t.admin}x`),
  (t) => bearer(t.admin.slice(0, -2)),
  () => [['x-auth-token', 'slw_']],
  (t) => storeToken(`${t.store}x`),
  (t) => storeToken(t.store.slice(0, -1)),
  () => [['x-auth-token', 'null']],
  () => [['x-auth-token', `slw_${'A'.repeat(3_000)}`]],
];

/** A valid credential of tenant A written oddly, or beside another one: accepted or not, never a 5xx. */
const ODD: ((t: Tokens) => HeaderList)[] = [
  (t) => [['authorization', `bearer ${t.admin}`]],
  (t) => [['authorization', `BEARER ${t.admin}`]],
  (t) => [['authorization', `Bearer  ${t.admin}`]],
  (t) => [['authorization', `Bearer ${t.admin} `]],
  (t) => [['authorization', t.admin]],
  (t) => bearer(t.store),
  (t) => storeToken(t.admin),
  (t) => storeToken(` ${t.store}`),
  (t) => storeToken(`${t.store}, ${t.otherStore}`),
  (t) => [...bearer(t.admin), ...storeToken(t.otherStore)],
  (t) => [...bearer(t.otherAdmin), ...storeToken(t.store)],
  (t) => [...bearer(t.admin), ...bearer(t.otherAdmin)],
  (t) => [...storeToken(t.store), ...storeToken(t.store)],
];

const fromList = (list: ((t: Tokens) => HeaderList)[]) => fc.constantFrom(...list).map((f) => f(C().tokens));

const authFor = (dialect: 'connect' | 'bigcommerce', isPublic: boolean) => {
  const pair = (auth: AuthKind, headers: fc.Arbitrary<HeaderList>) =>
    headers.map((h) => ({ auth, headers: h }));
  const garbage = fc.oneof(
    { weight: 3, arbitrary: fromList(FORGED) },
    { weight: 1, arbitrary: printable(80).map((v): HeaderList => [['authorization', v]]) },
    { weight: 1, arbitrary: printable(80).map((v): HeaderList => [['x-auth-token', v]]) },
  );
  return fc.oneof(
    {
      weight: dialect === 'connect' ? 10 : 3,
      arbitrary: pair(
        'admin',
        fc.constant(null).map(() => bearer(C().tokens.admin)),
      ),
    },
    {
      weight: dialect === 'connect' ? 2 : 9,
      arbitrary: pair(
        'store',
        fc.constant(null).map(() => storeToken(C().tokens.store)),
      ),
    },
    { weight: isPublic ? 10 : 2, arbitrary: pair('none', fc.constant([])) },
    {
      weight: 1,
      arbitrary: pair(
        'otherAdmin',
        fc.constant(null).map(() => bearer(C().tokens.otherAdmin)),
      ),
    },
    {
      weight: 1,
      arbitrary: pair(
        'otherStore',
        fc.constant(null).map(() => storeToken(C().tokens.otherStore)),
      ),
    },
    { weight: 2, arbitrary: pair('forged', garbage) },
    { weight: 1, arbitrary: pair('odd', fromList(ODD)) },
  );
};

/** Names a client must not choose here: they frame the message or switch protocols. */
const FRAMING = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'expect',
  'te',
]);

const hostGarbage = fc.oneof(
  fc.constantFrom(
    '@',
    '[::1',
    '[::1]:80',
    'a b',
    'host:99999',
    'evil.example.com',
    'evil.example.com:443',
    '',
    ',',
    'a,b',
    'localhost/../x',
    'x:y:z',
    '%00',
    '\u00e9.example',
    '127.0.0.1:1',
    'javascript:alert(1)//',
    'x'.repeat(300),
  ),
  printable(40),
);

const headerValue = fc.oneof(
  { weight: 6, arbitrary: printable(60) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s)) },
  { weight: 1, arbitrary: fc.integer({ min: 4_000, max: 9_000 }).map((n) => 'v'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom('a\u0001b', 'a\u007fb', '\u0000') },
);

const extraHeader: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.tuple(fc.constant('x-forwarded-host'), hostGarbage),
  fc.tuple(
    fc.constant('x-forwarded-proto'),
    fc.oneof(
      fc.constantFrom('javascript', ':', 'https', 'http,https', 'HTTPS', '', 'ftp', 'https:'),
      printable(12),
    ),
  ),
  fc.tuple(fc.constantFrom('x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-port'), headerValue),
  fc.tuple(
    fc.constant('accept'),
    fc.constantFrom('text/event-stream', '*/*', 'application/json', 'text/html', '', 'a/b;q=x'),
  ),
  fc.tuple(
    fc.constant('idempotency-key'),
    fc.oneof(fc.uuid(), printable(40), fc.constantFrom('', ' ', 'x'.repeat(2_000), '\u00e9\u00e9')),
  ),
  fc.tuple(
    fc.constant('last-event-id'),
    fc.oneof(fc.constantFrom('-1', '0', '', 'x', '99999999999999999999', '1e3'), printable(20)),
  ),
  fc.tuple(
    fc.constantFrom(
      'if-match',
      'if-none-match',
      'range',
      'accept-encoding',
      'origin',
      'referer',
      'cookie',
      'user-agent',
    ),
    headerValue,
  ),
  fc.tuple(
    fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,30}$/).filter((n) => !FRAMING.has(n.toLowerCase())),
    headerValue,
  ),
);

/** Headers over Node's 16 KB limit: answered 431 in the envelope. */
const hugeHeaders = fc
  .integer({ min: 17_000, max: 30_000 })
  .map((n): [string, string][] => [['x-padding', 'p'.repeat(n)]]);

// ---------------------------------------------------------------------------------------------
// Requests

export interface RouteFuzz {
  route: RouteDefinition;
  spec: OperationSpec | undefined;
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PURGE', 'FOO'];

export const planFor = ({ route, spec }: RouteFuzz): fc.Arbitrary<Planned> => {
  const dialect = route.path.startsWith('/stores/') ? 'bigcommerce' : 'connect';
  const names = [...route.path.matchAll(/\{(\w+)\+?\}/g)].map((m) => m[1] ?? '');
  const bodySchema = spec?.body ? jsonSchemaOf(spec.body) : undefined;
  const querySchema = spec?.query ? jsonSchemaOf(spec.query) : undefined;
  const stale = fc.integer({ min: 1_000, max: 2 ** 31 });

  const method = fc.oneof(
    {
      weight: 12,
      arbitrary:
        route.method === 'ANY' ? fc.constantFrom(...OTHER_METHODS, 'HEAD') : fc.constant(route.method),
    },
    { weight: route.method === 'GET' ? 2 : 0, arbitrary: fc.constant('HEAD') },
    { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) },
  );

  const queryArb: fc.Arbitrary<{ query: string; stale: boolean }> = querySchema
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: hinted(validOf(querySchema), querySchema).map((v) => ({
            query: serializeQuery(v),
            stale: false,
          })),
        },
        {
          weight: 3,
          arbitrary: invalidOf(querySchema).map((v) => ({ query: serializeQuery(v), stale: false })),
        },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES).map((query) => ({ query, stale: false })) },
        { weight: 1, arbitrary: fc.constant({ query: '', stale: false }) },
        {
          weight: hasVersion(querySchema) ? 2 : 0,
          arbitrary: stale.map((v) => ({ query: `version=${v}`, stale: true })),
        },
      )
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant({ query: '', stale: false }) },
        { weight: 1, arbitrary: fc.constantFrom(...RAW_QUERIES).map((query) => ({ query, stale: false })) },
        {
          weight: 1,
          arbitrary: fc
            .dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 20 }), { maxKeys: 3 })
            .map((v) => ({ query: serializeQuery(v), stale: false })),
        },
      );

  type BodyPlan = { text?: string; big?: number; contentType?: string; stale: boolean };
  const jsonType = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(...JSON_TYPES.slice(0, 3)) },
    { weight: 3, arbitrary: fc.constantFrom(...JSON_TYPES) },
    { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...WRONG_TYPES, undefined) },
  );
  const formType = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(FORM, `${FORM}; charset=utf-8`) },
    { weight: 2, arbitrary: fc.constantFrom<string | undefined>(...JSON_TYPES, ...WRONG_TYPES, undefined) },
  );
  const serialize = spec?.bodyType === 'form' ? formOf : (v: unknown) => JSON.stringify(v) ?? 'null';
  const bodyArb: fc.Arbitrary<BodyPlan> = bodySchema
    ? fc.oneof(
        {
          weight: 6,
          arbitrary: fc
            .tuple(hinted(validOf(bodySchema), bodySchema), spec?.bodyType === 'form' ? formType : jsonType)
            .map(([v, contentType]) => ({ text: serialize(v), contentType, stale: false })),
        },
        {
          weight: 4,
          arbitrary: fc
            .tuple(invalidOf(bodySchema), spec?.bodyType === 'form' ? formType : jsonType)
            .map(([v, contentType]) => ({ text: serialize(v), contentType, stale: false })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...RAW_BODIES), jsonType)
            .map(([text, contentType]) => ({ text, contentType, stale: false })),
        },
        { weight: 1, arbitrary: jsonType.map((contentType) => ({ contentType, stale: false })) },
        {
          weight: hasVersion(bodySchema) ? 3 : 0,
          arbitrary: fc
            .tuple(validOf(bodySchema), stale, fc.constantFrom(...JSON_TYPES.slice(0, 3)))
            .map(([v, version, contentType]) => ({
              text: JSON.stringify({ ...(v as object), version }),
              contentType,
              stale: true,
            })),
        },
      )
    : fc.oneof(
        { weight: 8, arbitrary: fc.constant({ stale: false }) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.jsonValue({ maxDepth: 2 }), jsonType)
            .map(([v, contentType]) => ({ text: JSON.stringify(v) ?? 'null', contentType, stale: false })),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...RAW_BODIES), jsonType)
            .map(([text, contentType]) => ({ text, contentType, stale: false })),
        },
      );

  // Now and then a body over the gateway's limit (1 MiB): 413 in the envelope.
  const bodyOrBig = fc.oneof(
    { weight: 300, arbitrary: bodyArb },
    {
      weight: 1,
      arbitrary: fc.constant<BodyPlan>({
        big: 1_048_577 + 1024,
        contentType: 'application/json',
        stale: false,
      }),
    },
  );

  const headers = fc.oneof(
    { weight: 30, arbitrary: fc.array(extraHeader, { maxLength: 3 }) },
    { weight: 1, arbitrary: hugeHeaders },
  );

  return fc
    .record({
      method,
      segments: fc.record(Object.fromEntries(names.map((n) => [n, segmentFor(n)]))),
      query: queryArb,
      body: bodyOrBig,
      auth: authFor(dialect, route.scopes === null),
      headers,
    })
    .map(({ method, segments, query, body, auth, headers }) => ({
      routeKey: `${route.method} ${route.path}`,
      method,
      segments,
      pathTemplate: route.path,
      query: query.query,
      ...(body.big !== undefined
        ? { body: { big: body.big } }
        : body.text !== undefined
          ? { body: body.text }
          : {}),
      ...(body.contentType !== undefined ? { contentType: body.contentType } : {}),
      auth: auth.auth,
      authHeaders: auth.headers,
      headers,
      staleVersion: query.stale || body.stale,
    }));
};

/** Paths no route has, and known paths with odd spellings: the `$default` route's 404 and 405. */
export const unroutedPlan = (): fc.Arbitrary<Planned> =>
  fc
    .record({
      method: fc.constantFrom(...OTHER_METHODS, 'HEAD'),
      path: fc.oneof(
        fc.constantFrom(
          '/',
          '//',
          '/projects/',
          '//projects',
          '/Projects',
          '/PROJECTS',
          '/health/',
          '/oauth/token/',
          '/openapi.yaml',
          '/connectors',
          '/connectors/',
          '/connectors/drafts/',
          '/stores',
          '/stores/',
          `/stores//v3/infrastructure/projects`,
          '/sites',
          '/sites/',
          '/.env',
          '/../../etc/passwd',
          '/%2e%2e/%2e%2e/etc/passwd',
          '/admin',
          '*',
        ),
        pick((c) => [
          `/stores/${c.tenant}`,
          `/stores/${c.tenant}/v3`,
          `/stores/${c.tenant}/v3/infrastructure`,
          `/stores/${c.tenant}/v3/infrastructure/projects/`,
          `/stores/${c.tenant}/v2/infrastructure/projects`,
          `/stores/${c.tenant}/v3/catalog/products`,
          `/${c.fixed.projectKey}`,
          `/${c.fixed.projectKey}/`,
          `/${c.fixed.projectKey}/deployments/`,
          `/${c.fixed.projectKey}/uploads`,
          `/${c.fixed.projectKey}/deployments/${c.fixed.deploymentId}/logs/x`,
        ]),
        fc
          .array(
            hostileSegment.filter((s) => s.length < 200),
            { minLength: 1, maxLength: 5 },
          )
          .map((parts) => `/${parts.join('/')}`),
        fc
          .array(
            hostileSegment.filter((s) => s.length < 200),
            { minLength: 1, maxLength: 4 },
          )
          .map((parts) => `/stores/${parts.join('/')}`),
      ),
      query: fc.oneof(fc.constant(''), fc.constantFrom(...RAW_QUERIES)),
      auth: authFor('connect', false),
      headers: fc.array(extraHeader, { maxLength: 2 }),
      body: fc.option(fc.constantFrom(...RAW_BODIES), { freq: 3 }),
    })
    .map(({ method, path, query, auth, headers, body }) => ({
      routeKey: 'unrouted',
      method,
      segments: {},
      pathTemplate: path,
      query,
      ...(body === null ? {} : { body, contentType: 'application/json' }),
      auth: auth.auth,
      authHeaders: auth.headers,
      headers,
      staleVersion: false,
    }));

// ---------------------------------------------------------------------------------------------
// From plan to bytes

const fillPath = (template: string, segments: Record<string, string>) =>
  template.replace(/\{(\w+)\+?\}/g, (_, name: string) => segments[name] ?? '');

const targetOf = (p: Planned) => `${fillPath(p.pathTemplate, p.segments)}${p.query ? `?${p.query}` : ''}`;

/** The content type the handler reads: API Gateway joins repeated headers with commas. */
const joinedHeader = (headers: [string, string][], name: string): string | undefined => {
  const values = headers.filter(([n]) => n.toLowerCase() === name).map(([, v]) => v);
  return values.length === 0 ? undefined : values.join(',');
};

const schemaAccepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

const bodyText = (p: Planned): string => (typeof p.body === 'string' ? p.body : '');

/**
 * Whether nothing can make this request succeed, by what is certain before the operation runs:
 * no principal on a route with scopes, a store token where only Connect scopes are accepted,
 * a body or query its schema refuses, a version no resource has. (Another tenant's credentials
 * may well succeed, in that tenant.)
 */
const certainToFail = (
  p: Planned,
  route: RouteDefinition,
  spec: OperationSpec | undefined,
  headers: [string, string][],
) => {
  if (route.scopes !== null) {
    if (p.auth === 'none' || p.auth === 'forged') return true;
    if (p.auth === 'store' && !route.path.startsWith('/stores/')) return true;
  }
  // The version is stale for the write it was made for, not for what another method reaches.
  if (p.staleVersion && `${route.method} ${route.path}` === p.routeKey) return true;
  if (spec?.query && !schemaAccepts(spec.query, parseQueryString(p.query))) return true;
  if (spec?.body && spec.bodyType !== 'form') {
    const contentType = joinedHeader(headers, 'content-type') ?? '';
    const text = bodyText(p);
    if (typeof p.body !== 'string' || text === '') return true;
    if (!PIPELINE_JSON.test(contentType) || !MIDDY_JSON.test(contentType)) return true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return true;
    }
    if (!schemaAccepts(spec.body, parsed)) return true;
  }
  return false;
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each compared resource's identifiers, and what a request that may succeed names instead. */
const replacementsOf = (ctx: FuzzContext): [string, string][] => {
  const { fixed, scratch } = ctx;
  return [
    [fixed.projectKey, scratch.projectKey],
    [fixed.draftId, scratch.draftId],
    [fixed.draftKey, scratch.draftKey],
    [fixed.connectorId, '5b0e1c8e-0000-4000-8000-00000000c0de'],
    [fixed.connectorKey, 'no-such-connector'],
    [fixed.deploymentId, '5b0e1c8e-0000-4000-8000-00000000d0de'],
    [fixed.deploymentKey, 'no-such-deployment'],
    [fixed.uploadId, '5b0e1c8e-0000-4000-8000-00000000f11e'],
    [fixed.storeProjectUuid, scratch.storeProjectUuid],
    [fixed.storeDeploymentUuid, '5b0e1c8e-0000-4000-8000-00000000beef'],
  ];
};

const touches = (text: string, ctx: FuzzContext) => {
  const haystack = lenientDecode(text).toLowerCase();
  return replacementsOf(ctx).some(([id]) => haystack.includes(id.toLowerCase()));
};

/**
 * The request as bytes, with what the properties need to judge its answer. A write of tenant
 * A's that could succeed never names a compared resource: its identifiers are swapped for
 * scratch ones (or, if they hide where the swap cannot see, the request is dropped: undefined).
 */
export const build = (p: Planned, specs: Record<string, OperationSpec>): Built | undefined => {
  const ctx = C();
  const headers: [string, string][] = [
    ...p.authHeaders,
    ...(p.contentType !== undefined ? ([['content-type', p.contentType]] as [string, string][]) : []),
    ...p.headers,
  ];
  const match = matchRoute(p.method, fillPath(p.pathTemplate, p.segments));
  const route = match.kind === 'route' ? match.route : undefined;
  const spec = route ? specs[`${route.method} ${route.path}`] : undefined;
  const mutation = route !== undefined && MUTATIONS.has(p.method) && route.function !== 'sites';
  const mustFail = route !== undefined && certainToFail(p, route, spec, headers);
  const otherTenant = p.auth === 'otherAdmin' || p.auth === 'otherStore';
  let plan = p;
  const text = () => `${targetOf(plan)} ${bodyText(plan)}`;
  if (mutation && !mustFail && !otherTenant && touches(text(), ctx)) {
    const swap = (s: string) =>
      replacementsOf(ctx).reduce(
        (acc, [id, other]) => acc.replace(new RegExp(escapeRegExp(id), 'gi'), other),
        s,
      );
    plan = {
      ...p,
      segments: Object.fromEntries(Object.entries(p.segments).map(([k, v]) => [k, swap(v)])),
      query: swap(p.query),
      ...(typeof p.body === 'string' ? { body: swap(p.body) } : {}),
    };
    if (touches(text(), ctx)) return undefined;
  }
  const whole =
    typeof plan.body === 'string'
      ? Buffer.from(plan.body, 'utf8')
      : plan.body
        ? Buffer.alloc(plan.body.big, 0x20)
        : undefined;
  const body = whole;
  return {
    routeKey: p.routeKey,
    auth: p.auth,
    method: plan.method,
    target: targetOf(plan),
    headers,
    ...(body ? { body } : {}),
    mutation,
    mustFail,
    touchesFixed: !otherTenant && touches(text(), ctx),
  };
};

/** Whether a request carries one of the markers the answers are searched for (so an echo is not a leak). */
export const carriesMarker = (b: Built): boolean => {
  const body = b.body && b.body.length < 100_000 ? b.body.toString('utf8') : '';
  const text = lenientDecode([b.target, ...b.headers.map(([n, v]) => `${n}:${v}`), body].join('\n'));
  return MARKERS.some((m) => text.toLowerCase().includes(m.toLowerCase()));
};
