import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isStoreUuid } from '../core/store/deployment-states.ts';
import { applicationOrigin, type SiteOrigin, siteOrigin } from '../core/store/sites.ts';
import { HOP_BY_HOP } from '../http/hop-by-hop.ts';
import { logger } from '../http/logger.ts';
import type { HttpResult } from '../http/responses.ts';
import { publicBaseUrl } from '../http/views.ts';
import { siteDeps } from '../wiring/sites.ts';

/** What a proxy never forwards, and what fetch re-encodes or sets itself. */
const NOT_FORWARDED = new Set([...HOP_BY_HOP, 'host', 'content-length', 'content-encoding']);

/**
 * Methods the Fetch standard forbids, which `fetch` refuses to send: such a request cannot reach
 * the application, and answering 502 would blame it. 405 names the methods that are forwarded.
 */
const UNFORWARDABLE = new Set(['CONNECT', 'TRACE', 'TRACK']);
const FORWARDED = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS';

const text = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  body,
});

/** How long the application has to answer; under API Gateway's 30 s integration limit. */
const UPSTREAM_TIMEOUT_MS = 25_000;

/**
 * The address a request names: a project's site (`/sites/<project uuid>/…`), or a service's
 * stable address (`/apps/<projectKey>/<deployment id>/<application>/…`, on AWS). `base` is
 * built only from what resolved (nothing of the request is echoed otherwise).
 */
const addressOf = async (
  event: APIGatewayProxyEventV2,
): Promise<{ base: string; resolve: () => Promise<SiteOrigin | undefined> } | undefined> => {
  const p = event.pathParameters ?? {};
  if (p.project_uuid !== undefined) {
    const projectId = p.project_uuid;
    if (!isStoreUuid(projectId)) return undefined;
    return {
      base: `${publicBaseUrl(event.headers)}/sites/${projectId.toLowerCase()}`,
      resolve: () => siteOrigin(siteDeps, projectId),
    };
  }
  const address = {
    projectKey: p.projectKey ?? '',
    deploymentId: p.deploymentId ?? '',
    applicationName: p.applicationName ?? '',
  };
  if (!isStoreUuid(address.deploymentId)) return undefined;
  const found = await applicationOrigin(siteDeps, address);
  if (!found) return undefined;
  const path = [address.projectKey, address.deploymentId, address.applicationName].map(encodeURIComponent);
  return { base: `${publicBaseUrl(event.headers)}/apps/${path.join('/')}`, resolve: async () => found };
};

/**
 * A project's address, or (on AWS) a service's stable address: forwards the request to the
 * application it serves now (method, headers, body, query) and answers with what it answered.
 * Each request is a log entry of that deployment (BigCommerce's request logs). Public: it is
 * the project's website, or the service's own address.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const rest = event.pathParameters?.proxy;
  const address = await addressOf(event);
  if (!address) return text(404, 'Nothing is deployed at this address.');
  // What a header may carry: printable ASCII; anything else percent-encoded.
  const query = event.rawQueryString
    ? `?${event.rawQueryString.replace(/[^\x21-\x7e]/gu, (c) => encodeURIComponent(c))}`
    : '';
  const siteBase = address.base;
  // The address is a folder: relative links in what it serves need the trailing slash.
  if (rest === undefined) return { statusCode: 308, headers: { location: `${siteBase}/${query}` } };

  const method = event.requestContext.http.method;
  if (UNFORWARDABLE.has(method.toUpperCase())) {
    const refused = text(405, `${method} requests are not forwarded to the application.`);
    return { ...refused, headers: { ...refused.headers, allow: FORWARDED } };
  }

  const target = await address.resolve();
  if (!target) return text(404, 'Nothing is deployed at this address.');

  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers))
    if (value !== undefined && !NOT_FORWARDED.has(name.toLowerCase())) headers.set(name, value);
  if (event.cookies?.length) headers.set('cookie', event.cookies.join('; '));
  const body =
    event.body === undefined || method === 'GET' || method === 'HEAD'
      ? undefined
      : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');

  let status: number;
  let result: HttpResult;
  try {
    const response = await fetch(`${target.origin}/${rest}${query}`, {
      method,
      headers,
      ...(body ? { body } : {}),
      redirect: 'manual',
      signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
    });
    status = response.status;
    const out: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (!NOT_FORWARDED.has(name) && name !== 'set-cookie') out[name] = value;
    });
    // A redirect to the application's own URL stays at the project's address.
    if (out.location?.startsWith(target.origin))
      out.location = `${siteBase}${out.location.slice(target.origin.length)}`;
    const cookies = response.headers.getSetCookie();
    result = {
      statusCode: status,
      headers: out,
      ...(cookies.length ? { cookies } : {}),
      body: Buffer.from(await response.arrayBuffer()).toString('base64'),
      isBase64Encoded: true,
    };
  } catch (error) {
    logger.warn('site application did not answer', {
      deploymentId: target.deployment.id,
      error: error as Error,
    });
    status = 502;
    result = text(502, 'The application at this address did not answer.');
  }
  await siteDeps.logs
    .append([
      {
        type: 'HTTP_REQUEST',
        deploymentId: target.deployment.id,
        applicationName: target.applicationName,
        severity: status >= 500 ? 'ERROR' : status >= 400 ? 'WARNING' : 'INFO',
        timestamp: new Date().toISOString(),
        details: { method, url: `/${rest}${query}`, status },
      },
    ])
    .catch((error: unknown) => logger.warn('request log not written', { error: error as Error }));
  return result;
};
