/**
 * The audit trail: one entry per state-changing request whose caller is known, naming who
 * (the client or token id), what (the route, its resource, the action), when, from where,
 * and the outcome. Entries hold no secret: no body, no header but the user agent, and paths
 * and parameters only (which never carry secrets). They are kept for a set number of days.
 */
import type { Principal } from '../auth/principal.ts';

export interface AuditEntry {
  /** Time-ordered (UUIDv7), so entries of one millisecond keep their order. */
  id: string;
  tenant: string;
  at: string;
  actor: { kind: Principal['kind']; id: string };
  /** The route, as the route table names it: `POST /{projectKey}/deployments`. */
  action: string;
  method: string;
  path: string;
  /** The route's path parameters, and the id of what a creation made, when it answers one. */
  resource: Record<string, string>;
  outcome: { status: number; code?: string };
  sourceIp?: string;
  /** Behind CloudFront: the viewer's address as the edge reported it (see `http/audit-trail.ts`). */
  viewerAddress?: string;
  userAgent?: string;
  requestId?: string;
}

export interface AuditLog {
  /** Records an entry, kept `retentionDays` days. */
  record(entry: AuditEntry, retentionDays: number): Promise<void>;
  /** A tenant's entries, newest first, a cursor page at a time (a trail is too long to count). */
  list(tenant: string, page: AuditPageRequest): Promise<AuditPage>;
}

/** The methods that change state: what the trail records (GET, HEAD and OPTIONS never do). */
export const isStateChanging = (method: string): boolean =>
  method === 'POST' || method === 'PUT' || method === 'PATCH' || method === 'DELETE';

export interface AuditPageRequest {
  limit: number;
  cursor?: string;
}

export interface AuditPage {
  results: AuditEntry[];
  nextCursor?: string;
}

export const listAuditEntries = (
  deps: { audit: AuditLog },
  caller: Principal,
  page: AuditPageRequest,
): Promise<AuditPage> => deps.audit.list(caller.tenant, page);
