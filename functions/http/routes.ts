/**
 * The route table: the one list of routes that both the local gateway and the CDK
 * HTTP API are built from. Scopes are templates over path parameters; a route with
 * `scopes: null` is public (no authorizer). A route with scopes `[]` needs a valid
 * token but no particular scope.
 */

import { webhookRoutes } from './webhook-routes.ts';

/**
 * `ANY` is API Gateway's any-method route (the sites' proxy). `HEAD` is never in the table:
 * every GET route answers HEAD too (`headRouteKey`), as HTTP says it must.
 */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'ANY';

/** Lambda functions behind the API; each is `functions/handlers/<name>.ts`. */
export type ApiFunctionName =
  | 'health'
  | 'oauth-token'
  | 'projects'
  | 'uploads'
  | 'connectors'
  | 'deployments'
  | 'store-projects'
  | 'store-deployments'
  | 'store-streams'
  | 'sites'
  | 'credentials'
  | 'audit'
  | 'webhooks'
  | 'openapi'
  | 'fallback';

export interface RouteDefinition {
  method: HttpMethod;
  /** API Gateway HTTP API path syntax: `/projects/{projectKey}`; a last `{proxy+}` takes the rest of the path. */
  path: string;
  function: ApiFunctionName;
  /** Any one of these scopes grants access; `null` means the route is public. */
  scopes: readonly string[] | null;
  /**
   * The response is a stream (Server-Sent Events). HTTP APIs buffer whole responses, so on AWS
   * such a route is not on the HTTP API: its function answers through a function URL in
   * response-streaming mode behind the CloudFront distribution (`infra/stateless-stack.ts`),
   * where the Lambda authorizer is not in the path, so its handler checks the caller itself.
   * The function serves no other route. The local gateway streams them the same way
   * (`functions/local/lambda-runtime.ts`), also without the authorizer.
   */
  streaming?: true;
}

const ADMIN = 'admin';
const MANAGE_DEPLOYMENTS = [
  ADMIN,
  'manage_project:{projectKey}',
  'manage_connectors_deployments:{projectKey}',
];
const VIEW_DEPLOYMENTS = [...MANAGE_DEPLOYMENTS, 'view_connectors_deployments:{projectKey}'];
/** Connector scopes are not per project: connectors belong to the tenant. */
const MANAGE_CONNECTORS = [ADMIN, 'manage_connectors'];
const VIEW_CONNECTORS = [ADMIN, 'manage_connectors', 'view_connectors'];
const MANAGE_CLIENTS = [ADMIN, 'manage_api_clients'];
const VIEW_CLIENTS = [...MANAGE_CLIENTS, 'view_api_clients'];

const STORE_PROJECTS = '/stores/{store_hash}/v3/infrastructure/projects';
const MANAGE_STORE_PROJECTS = [ADMIN, 'store_infrastructure_projects_manage'];
const READ_STORE_PROJECTS = [...MANAGE_STORE_PROJECTS, 'store_infrastructure_projects_read_only'];
const STORE = '/stores/{store_hash}/v3/infrastructure';
const STORE_DEPLOYMENTS = `${STORE}/deployments`;
const CREATE_STORE_DEPLOYMENTS = [
  ADMIN,
  'store_infrastructure_deployments_manage',
  'store_infrastructure_deployments_create_preview',
];
const READ_STORE_DEPLOYMENTS = [...CREATE_STORE_DEPLOYMENTS, 'store_infrastructure_deployments_read_only'];
const READ_STORE_LOGS = [ADMIN, 'store_infrastructure_logs_read_only'];
const MANAGE_STORE_TOKENS = [ADMIN, 'store_infrastructure_access_tokens_manage'];
/** Webhooks: a store's subscriptions cover its deployments, so they take the deployments' scopes. */
const MANAGE_STORE_WEBHOOKS = [ADMIN, 'store_infrastructure_deployments_manage'];

/** A service's stable address (`applicationAddress` in core/deployments/rules.ts). */
const APP_ADDRESS = '/apps/{projectKey}/{deploymentId}/{applicationName}';

export const ROUTES: readonly RouteDefinition[] = [
  { method: 'GET', path: '/health', function: 'health', scopes: null },
  { method: 'POST', path: '/oauth/token', function: 'oauth-token', scopes: null },
  // Client-authenticated like the token endpoint (RFC 7009, RFC 7662), not by the authorizer.
  { method: 'POST', path: '/oauth/revoke', function: 'oauth-token', scopes: null },
  { method: 'POST', path: '/oauth/introspect', function: 'oauth-token', scopes: null },
  // Credentials as resources, with commercetools' scopes for them; a caller never grants more
  // than it holds (`core/auth/clients.ts`).
  { method: 'POST', path: '/api-clients', function: 'credentials', scopes: MANAGE_CLIENTS },
  { method: 'GET', path: '/api-clients', function: 'credentials', scopes: VIEW_CLIENTS },
  { method: 'GET', path: '/api-clients/{clientId}', function: 'credentials', scopes: VIEW_CLIENTS },
  { method: 'DELETE', path: '/api-clients/{clientId}', function: 'credentials', scopes: MANAGE_CLIENTS },
  // Who did what in the tenant: its admins read it (it names every client and token).
  { method: 'GET', path: '/audit', function: 'audit', scopes: [ADMIN] },
  { method: 'GET', path: '/openapi.json', function: 'openapi', scopes: null },
  { method: 'POST', path: '/projects', function: 'projects', scopes: [ADMIN] },
  { method: 'GET', path: '/projects', function: 'projects', scopes: [ADMIN] },
  {
    method: 'GET',
    path: '/projects/{projectKey}',
    function: 'projects',
    scopes: [ADMIN, 'manage_project:{projectKey}', 'view_connectors_deployments:{projectKey}'],
  },
  {
    method: 'POST',
    path: '/{projectKey}/uploads',
    function: 'uploads',
    scopes: [ADMIN, 'manage_project:{projectKey}', 'manage_connectors_deployments:{projectKey}'],
  },
  {
    method: 'GET',
    path: '/{projectKey}/uploads/{uploadId}',
    function: 'uploads',
    scopes: [
      ADMIN,
      'manage_project:{projectKey}',
      'manage_connectors_deployments:{projectKey}',
      'view_connectors_deployments:{projectKey}',
    ],
  },
  // `{draftRef}` and `{connectorRef}` are an id or Connect's `key=<key>`: API Gateway has no
  // path parameters that cover part of a segment, so the handler tells the two apart.
  { method: 'POST', path: '/connectors/drafts', function: 'connectors', scopes: MANAGE_CONNECTORS },
  { method: 'GET', path: '/connectors/drafts', function: 'connectors', scopes: VIEW_CONNECTORS },
  { method: 'GET', path: '/connectors/drafts/{draftRef}', function: 'connectors', scopes: VIEW_CONNECTORS },
  {
    method: 'POST',
    path: '/connectors/drafts/{draftRef}',
    function: 'connectors',
    scopes: MANAGE_CONNECTORS,
  },
  {
    method: 'DELETE',
    path: '/connectors/drafts/{draftRef}',
    function: 'connectors',
    scopes: MANAGE_CONNECTORS,
  },
  { method: 'GET', path: '/connectors/search', function: 'connectors', scopes: VIEW_CONNECTORS },
  { method: 'GET', path: '/connectors/{connectorRef}', function: 'connectors', scopes: VIEW_CONNECTORS },
  // `{deploymentRef}`: an id or `key=<key>`, as for connectors.
  { method: 'POST', path: '/{projectKey}/deployments', function: 'deployments', scopes: MANAGE_DEPLOYMENTS },
  { method: 'GET', path: '/{projectKey}/deployments', function: 'deployments', scopes: VIEW_DEPLOYMENTS },
  {
    method: 'GET',
    path: '/{projectKey}/deployments/{deploymentRef}',
    function: 'deployments',
    scopes: VIEW_DEPLOYMENTS,
  },
  {
    method: 'POST',
    path: '/{projectKey}/deployments/{deploymentRef}',
    function: 'deployments',
    scopes: MANAGE_DEPLOYMENTS,
  },
  {
    method: 'GET',
    path: '/{projectKey}/deployments/{deploymentRef}/logs',
    function: 'deployments',
    scopes: VIEW_DEPLOYMENTS,
  },
  {
    method: 'DELETE',
    path: '/{projectKey}/deployments/{deploymentRef}',
    function: 'deployments',
    scopes: MANAGE_DEPLOYMENTS,
  },
  // Connect's DeploymentRevisions and rollback (23 October 2026).
  {
    method: 'GET',
    path: '/{projectKey}/deployments/{deploymentRef}/revisions',
    function: 'deployments',
    scopes: VIEW_DEPLOYMENTS,
  },
  {
    method: 'GET',
    path: '/{projectKey}/deployments/{deploymentRef}/revisions/{revision}',
    function: 'deployments',
    scopes: VIEW_DEPLOYMENTS,
  },
  {
    method: 'POST',
    path: '/{projectKey}/deployments/{deploymentRef}/rollback',
    function: 'deployments',
    scopes: MANAGE_DEPLOYMENTS,
  },
  // The BigCommerce dialect: a store hash is a tenant (a token of another store gets 404).
  { method: 'GET', path: STORE_PROJECTS, function: 'store-projects', scopes: READ_STORE_PROJECTS },
  { method: 'POST', path: STORE_PROJECTS, function: 'store-projects', scopes: MANAGE_STORE_PROJECTS },
  {
    method: 'GET',
    path: `${STORE_PROJECTS}/{project_uuid}`,
    function: 'store-projects',
    scopes: READ_STORE_PROJECTS,
  },
  { method: 'DELETE', path: STORE_PROJECTS, function: 'store-deployments', scopes: MANAGE_STORE_PROJECTS },
  {
    method: 'DELETE',
    path: `${STORE_PROJECTS}/{project_uuid}`,
    function: 'store-deployments',
    scopes: MANAGE_STORE_PROJECTS,
  },
  {
    method: 'POST',
    path: `${STORE_DEPLOYMENTS}/uploads`,
    function: 'uploads',
    scopes: CREATE_STORE_DEPLOYMENTS,
  },
  {
    method: 'POST',
    path: STORE_DEPLOYMENTS,
    function: 'store-deployments',
    scopes: CREATE_STORE_DEPLOYMENTS,
  },
  { method: 'GET', path: STORE_DEPLOYMENTS, function: 'store-deployments', scopes: READ_STORE_DEPLOYMENTS },
  // Slipway: an earlier completed deployment serves its project's address again (production: not for preview tokens).
  {
    method: 'POST',
    path: `${STORE_DEPLOYMENTS}/{deployment_uuid}/promote`,
    function: 'store-deployments',
    scopes: [ADMIN, 'store_infrastructure_deployments_manage'],
  },
  {
    method: 'GET',
    path: `${STORE_DEPLOYMENTS}/{deployment_uuid}`,
    function: 'store-deployments',
    scopes: READ_STORE_DEPLOYMENTS,
  },
  {
    method: 'GET',
    path: `${STORE_DEPLOYMENTS}/{deployment_uuid}/events`,
    function: 'store-streams',
    scopes: READ_STORE_DEPLOYMENTS,
    streaming: true,
  },
  {
    method: 'GET',
    path: `${STORE}/logs/{project_uuid}`,
    function: 'store-projects',
    scopes: READ_STORE_LOGS,
  },
  {
    method: 'GET',
    path: `${STORE}/logs/{project_uuid}/tail`,
    function: 'store-streams',
    scopes: READ_STORE_LOGS,
    streaming: true,
  },
  { method: 'POST', path: `${STORE}/access-tokens`, function: 'credentials', scopes: MANAGE_STORE_TOKENS },
  { method: 'GET', path: `${STORE}/access-tokens`, function: 'credentials', scopes: MANAGE_STORE_TOKENS },
  {
    method: 'DELETE',
    path: `${STORE}/access-tokens/{token_id}`,
    function: 'credentials',
    scopes: MANAGE_STORE_TOKENS,
  },
  // Signed webhooks (docs/webhooks.md): a project's subscriptions (Connect), a store's (BigCommerce).
  ...webhookRoutes('connect', MANAGE_DEPLOYMENTS, VIEW_DEPLOYMENTS),
  ...webhookRoutes('store', MANAGE_STORE_WEBHOOKS, READ_STORE_DEPLOYMENTS),
  // A project's address: what its site deployment serves, to anyone (it is a website).
  { method: 'ANY', path: '/sites/{project_uuid}', function: 'sites', scopes: null },
  { method: 'ANY', path: '/sites/{project_uuid}/{proxy+}', function: 'sites', scopes: null },
  // A service's stable address (on AWS: the distribution sends `/apps/` to the API; under
  // `npm start` the gateway serves it before any route, and only what it does not know gets here).
  { method: 'ANY', path: APP_ADDRESS, function: 'sites', scopes: null },
  { method: 'ANY', path: `${APP_ADDRESS}/{proxy+}`, function: 'sites', scopes: null },
];

/** API Gateway's catch-all route: answers unknown paths (404) and wrong methods (405) in the dialect's envelope. */
export const DEFAULT_ROUTE_FUNCTION: ApiFunctionName = 'fallback';

/** The Lambda authorizer's function name, `functions/handlers/authorizer.ts`. */
export const AUTHORIZER_FUNCTION = 'authorizer';

export const routeKey = (route: Pick<RouteDefinition, 'method' | 'path'>): string =>
  `${route.method} ${route.path}`;

const routesByKey = new Map(ROUTES.map((route) => [routeKey(route), route]));

/** A route by its key; `HEAD /x` is the route `GET /x` (the HTTP API has a HEAD twin of each). */
export const routeByKey = (key: string): RouteDefinition | undefined =>
  routesByKey.get(key.startsWith('HEAD ') ? `GET ${key.slice(5)}` : key);

/** The key of a GET route's HEAD twin (what the HTTP API calls it, and what its event carries). */
export const headRouteKey = (route: Pick<RouteDefinition, 'path'>): string => `HEAD ${route.path}`;

/** The methods the HTTP API has a route for at this route's path: a GET route answers HEAD too. */
export const methodsOf = (route: Pick<RouteDefinition, 'method'>): HttpMethod[] =>
  route.method === 'GET' ? ['GET', 'HEAD'] : [route.method];

/** Every route key the HTTP API holds for `route` (its HEAD twin included). */
export const httpApiRouteKeys = (route: Pick<RouteDefinition, 'method' | 'path'>): string[] =>
  methodsOf(route).map((method) => `${method} ${route.path}`);

type Segment = { literal: string } | { param: string } | { greedy: string };

/**
 * Each route's segments, and its rank: literal segments outrank parameters, left to right,
 * as API Gateway picks the most specific route.
 */
const compiled = ROUTES.map((route) => {
  const segments = route.path
    .split('/')
    .slice(1)
    .map(
      (s): Segment =>
        s.startsWith('{') && s.endsWith('+}')
          ? { greedy: s.slice(1, -2) }
          : s.startsWith('{') && s.endsWith('}')
            ? { param: s.slice(1, -1) }
            : { literal: s },
    );
  return { route, segments, rank: segments.map((s) => ('literal' in s ? '1' : '0')).join('') };
});

export type RouteMatch =
  | { kind: 'route'; route: RouteDefinition; pathParameters: Record<string, string> }
  | { kind: 'method-not-allowed'; allowed: HttpMethod[] }
  | { kind: 'not-found' };

/**
 * A greedy last segment (`{proxy+}`) takes the rest of the path, raw, including an empty rest
 * after a trailing slash (so `/sites/<id>/` reaches the site's root).
 */
const matchSegments = (segments: Segment[], parts: string[]): Record<string, string> | undefined => {
  const greedy = segments.at(-1);
  const isGreedy = greedy !== undefined && 'greedy' in greedy;
  if (isGreedy ? parts.length < segments.length : segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, segment] of segments.entries()) {
    const part = parts[i] ?? '';
    if ('greedy' in segment) {
      params[segment.greedy] = parts.slice(i).join('/');
      break;
    }
    if ('literal' in segment) {
      if (segment.literal !== part) return undefined;
    } else {
      if (part === '') return undefined;
      try {
        params[segment.param] = decodeURIComponent(part);
      } catch {
        return undefined;
      }
    }
  }
  return params;
};

/** Resolves a request to a route the way an HTTP API does. */
export const matchRoute = (method: string, rawPath: string): RouteMatch => {
  const parts = rawPath.split('/').slice(1);
  let best: { route: RouteDefinition; params: Record<string, string>; rank: string } | undefined;
  const allowed = new Set<HttpMethod>();
  const wanted = method === 'HEAD' ? 'GET' : method;
  for (const { route, segments, rank } of compiled) {
    const params = matchSegments(segments, parts);
    if (!params) continue;
    allowed.add(route.method);
    if (route.method === 'GET') allowed.add('HEAD');
    if (route.method !== wanted && route.method !== 'ANY') continue;
    if (!best || rank > best.rank) best = { route, params, rank };
  }
  if (best) return { kind: 'route', route: best.route, pathParameters: best.params };
  if (allowed.size > 0) return { kind: 'method-not-allowed', allowed: [...allowed] };
  return { kind: 'not-found' };
};
