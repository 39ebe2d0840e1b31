import type middy from '@middy/core';
import { config } from '../config.ts';
import { type AuditEntry, type AuditLog, isStateChanging } from '../core/audit/audit.ts';
import type { Principal } from '../core/auth/principal.ts';
import { AppError } from '../core/shared/errors.ts';
import { newTimeOrderedId } from '../core/shared/ids.ts';
import { type AuthorizerContext, principalFromContext } from './authorizer-context.ts';
import { logger } from './logger.ts';
import type { HttpResult } from './responses.ts';
import { routeByKey, routeKey } from './routes.ts';

/** The part of an API event the trail reads (the pipeline's `ApiEvent` is one). */
interface AuditedEvent {
  routeKey: string;
  rawPath: string;
  headers?: Record<string, string | undefined>;
  pathParameters?: Record<string, string | undefined>;
  requestContext: {
    requestId?: string;
    http: { method: string; sourceIp?: string; userAgent?: string };
    authorizer?: { lambda?: AuthorizerContext };
  };
}

/**
 * Who made a request, once known: the authorizer's principal, or the client a public route
 * (the token endpoint) authenticated itself. Keyed by the event, which lives as long as the request.
 */
const callers = new WeakMap<object, Principal>();

export const attributeRequest = (event: object, principal: Principal): void => {
  callers.set(event, principal);
};

/**
 * Behind the CloudFront distribution, `sourceIp` is the edge's address; CloudFront reports the
 * viewer's in `CloudFront-Viewer-Address` (`<ip>:<port>`). Kept beside it, under its own name:
 * a caller that reaches the HTTP API directly could send that header itself.
 */
const viewerAddress = (event: AuditedEvent): { viewerAddress?: string } => {
  const value = event.headers?.['cloudfront-viewer-address'];
  if (!value) return {};
  const ip = value.slice(0, Math.max(0, value.lastIndexOf(':')));
  return /^[0-9A-Fa-f.:]{2,45}$/.test(ip) ? { viewerAddress: ip } : {};
};

/** What a creation made, when its answer names it (`id`, or BigCommerce's `data.uuid` / `data.id`). */
const createdId = (response: HttpResult | undefined): string | undefined => {
  if (!response?.body || (response.statusCode ?? 200) >= 300 || response.body.length > 1_000_000)
    return undefined;
  try {
    const body = JSON.parse(response.body) as { id?: unknown; data?: { id?: unknown; uuid?: unknown } };
    const id = body.id ?? body.data?.uuid ?? body.data?.id;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
};

const entryFor = (
  event: AuditedEvent,
  principal: Principal,
  response: HttpResult | undefined,
  error: unknown,
): AuditEntry => {
  const route = routeByKey(event.routeKey);
  const resource: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.pathParameters ?? {}))
    if (value !== undefined && name !== 'proxy') resource[name] = value;
  const made = createdId(response);
  if (made !== undefined && resource.id === undefined) resource.id = made;
  const { http } = event.requestContext;
  return {
    id: newTimeOrderedId(),
    tenant: principal.tenant,
    at: new Date().toISOString(),
    actor: { kind: principal.kind, id: principal.subject },
    action: route ? routeKey(route) : event.routeKey,
    method: http.method,
    path: event.rawPath,
    resource,
    outcome: {
      status: response ? (response.statusCode ?? 200) : 500,
      ...(error instanceof AppError ? { code: error.code } : {}),
    },
    ...(http.sourceIp ? { sourceIp: http.sourceIp } : {}),
    ...viewerAddress(event),
    ...(http.userAgent ? { userAgent: http.userAgent.slice(0, 512) } : {}),
    ...(event.requestContext.requestId ? { requestId: event.requestContext.requestId } : {}),
  };
};

/**
 * Records every state-changing request whose caller is known, after its answer is final (an
 * error's envelope included: registered first, this runs last). A request refused before its
 * caller was known (no or a bad credential) is not the tenant's to see; the log has it. A
 * trail that cannot be written is logged, and the answer stands: the change it describes did
 * happen, and the client must learn of it.
 */
export const auditTrail = <E extends AuditedEvent>(log: AuditLog): middy.MiddlewareObj<E, HttpResult> => {
  const record = async (request: middy.Request<E, HttpResult>) => {
    const { event } = request;
    const principal = callers.get(event);
    if (!principal || !isStateChanging(event.requestContext.http.method)) return;
    // A rate limit's refusals are volume, not changes: counted (RateLimit-*), not recorded,
    // or a flood would flood the trail too.
    if (request.error instanceof AppError && request.error.code === 'TooManyRequests') return;
    try {
      await log.record(
        entryFor(event, principal, request.response ?? undefined, request.error),
        config.auditRetentionDays,
      );
    } catch (error) {
      logger.error('audit entry not recorded', { routeKey: event.routeKey, error: error as Error });
    }
  };
  return {
    before: ({ event }) => {
      const context = event.requestContext.authorizer?.lambda;
      if (context?.authenticated === 'true') attributeRequest(event, principalFromContext(context));
    },
    after: record,
    onError: record,
  };
};
