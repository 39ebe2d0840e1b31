/**
 * A BigCommerce project's logs: what its hosted application wrote and the requests its
 * address served, as BigCommerce's log entries. They are the logs of the deployment served at
 * the project's address (one worker per project, as on BigCommerce).
 */
import * as z from 'zod';
import type { DeploymentLog } from '../deployments/model.ts';
import type { DeploymentLogRepository, DeploymentRepository } from '../deployments/ports.ts';
import type { ProjectRepository } from '../projects/ports.ts';
import type { Clock } from '../shared/clock.ts';
import { InvalidQueryParam } from '../shared/errors.ts';
import { newId, sha256Hex } from '../shared/ids.ts';
import { QueryInt } from '../shared/schemas.ts';
import { getStoreProject } from './projects.ts';

export const STORE_LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type StoreLogLevel = (typeof STORE_LOG_LEVELS)[number];

/** The longest window one query may cover, as BigCommerce documents. */
export const STORE_LOG_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

const Instant = z
  .string()
  .refine((v) => !Number.isNaN(instantOf(v)), 'must be an ISO 8601 date or Unix seconds')
  .optional();

export const StoreLogsQuery = z.strictObject({
  start: Instant,
  end: Instant,
  entry_type: z.enum(['log', 'request']).optional(),
  method: z
    .string()
    .regex(/^[A-Za-z]{1,16}$/, 'must be an HTTP method')
    .optional(),
  status_code: QueryInt(100, 599).optional(),
  'url:like': z.string().min(1).max(2048).optional(),
  'level:min': z.enum(STORE_LOG_LEVELS).optional(),
  limit: QueryInt(1, 500).default(100),
  after: z.string().min(1).max(2048).optional(),
  before: z.string().min(1).max(2048).optional(),
});
export type StoreLogsQuery = z.infer<typeof StoreLogsQuery>;

const instantOf = (value: string) => (/^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value));

/** One entry as BigCommerce's log tail and log listing send it. */
export interface StoreLogEntry {
  uuid: string;
  project_uuid: string;
  request: { method: string; url: string; status_code: number } | null;
  logs: { timestamp: string; level: StoreLogLevel; messages: string[] }[];
  exceptions: { timestamp: string; name: string; message: string }[];
  timestamp: string;
}

const LEVEL_OF: Record<DeploymentLog['severity'], StoreLogLevel> = {
  DEFAULT: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  NOTICE: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
  ALERT: 'error',
  EMERGENCY: 'error',
};

/** An entry's uuid: stable for the same log line, so a client can tell repeats apart. */
const uuidOf = (log: DeploymentLog) => {
  const h = sha256Hex(`${log.deploymentId}\u0000${log.timestamp}\u0000${JSON.stringify(log.details)}`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

const text = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

export const storeLogEntry = (projectId: string, log: DeploymentLog): StoreLogEntry => {
  const d = log.details;
  const isRequest = log.type === 'HTTP_REQUEST';
  const level = LEVEL_OF[log.severity];
  return {
    uuid: uuidOf(log),
    project_uuid: projectId,
    request: isRequest
      ? { method: text(d.method ?? ''), url: text(d.url ?? ''), status_code: Number(d.status ?? 0) }
      : null,
    logs: isRequest
      ? []
      : [
          {
            timestamp: log.timestamp,
            level,
            messages: [log.type === 'APPLICATION_JSON' ? JSON.stringify(d) : text(d.message ?? '')],
          },
        ],
    exceptions:
      !isRequest && level === 'error' && typeof d.exception === 'string'
        ? [{ timestamp: log.timestamp, name: 'Error', message: d.exception }]
        : [],
    timestamp: log.timestamp,
  };
};

/** Whether an entry passes the query's filters. */
export const matchesLogQuery = (
  entry: StoreLogEntry,
  query: Pick<StoreLogsQuery, 'entry_type' | 'method' | 'status_code' | 'url:like' | 'level:min'>,
): boolean => {
  const { request } = entry;
  if (query.entry_type === 'log' && request) return false;
  if (query.entry_type === 'request' && !request) return false;
  const requestFilter =
    query.method !== undefined || query.status_code !== undefined || query['url:like'] !== undefined;
  if (requestFilter) {
    if (!request) return false;
    if (query.method !== undefined && request.method.toUpperCase() !== query.method.toUpperCase())
      return false;
    if (query.status_code !== undefined && request.status_code !== query.status_code) return false;
    if (query['url:like'] !== undefined && !request.url.includes(query['url:like'])) return false;
  }
  const min = query['level:min'];
  if (min !== undefined) {
    if (request) return false;
    const floor = STORE_LOG_LEVELS.indexOf(min);
    if (!entry.logs.some((l) => STORE_LOG_LEVELS.indexOf(l.level) >= floor)) return false;
  }
  return true;
};

export interface StoreLogDeps {
  projects: ProjectRepository;
  deployments: DeploymentRepository;
  logs: DeploymentLogRepository;
  clock: Clock;
}

/** The deployment whose logs are the project's: the one served at its address. */
export const projectLogSource = async (deps: StoreLogDeps, store: string, projectUuid: string) => {
  const project = await getStoreProject(deps, store, projectUuid);
  const site = await deps.deployments.getSite(project.id);
  return { project, deploymentId: site?.deploymentId };
};

/**
 * GET /logs/{project_uuid}: entries between `start` (default: an hour before `end`) and `end`
 * (default now), at most seven days apart, oldest first, filtered; `after` is the previous
 * page's `end_cursor`. Pages read forward only: `before` is refused, naming itself.
 */
export const listStoreLogs = async (
  deps: StoreLogDeps,
  store: string,
  projectUuid: string,
  query: StoreLogsQuery,
) => {
  if (query.before !== undefined)
    throw new InvalidQueryParam('before', 'log pages are read forward: use after with the end_cursor');
  const now = deps.clock.now().getTime();
  const to = query.end === undefined ? now : instantOf(query.end);
  const from = query.start === undefined ? to - 60 * 60 * 1000 : instantOf(query.start);
  if (from > to) throw new InvalidQueryParam('start', 'is after end');
  if (to - from > STORE_LOG_WINDOW_MS) throw new InvalidQueryParam('start', 'is more than 7 days before end');
  const { project, deploymentId } = await projectLogSource(deps, store, projectUuid);
  const page = deploymentId
    ? await deps.logs.page(deploymentId, {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        limit: query.limit,
        ...(query.after === undefined ? {} : { pageToken: query.after }),
      })
    : { data: [] };
  const data = page.data
    .map((log) => storeLogEntry(project.id, log))
    .filter((e) => matchesLogQuery(e, query));
  const next = page.next;
  const link = (cursor: string) => {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query))
      if (value !== undefined && name !== 'after') params.set(name, String(value));
    params.set('start', new Date(from).toISOString());
    params.set('end', new Date(to).toISOString());
    params.set('after', cursor);
    return `?${params.toString()}`;
  };
  return {
    data,
    pagination: {
      count: data.length,
      per_page: query.limit,
      start_cursor: query.after ?? null,
      end_cursor: next ?? null,
      links: { previous: null, next: next ? link(next) : null },
    },
  };
};

/**
 * How late a log line may reach storage after its own timestamp: a hosted application's
 * output is written in batches (every half second locally), while the requests its address
 * serves are written at once, so a line can land behind newer ones.
 */
export const TAIL_LATENESS_MS = 10_000;

/**
 * A live tail's memory: each poll reads from a little before the newest line sent (the
 * lateness above), and what was sent already is not sent again. Lines older than the tail
 * itself are never sent ("from now on").
 */
export const logTail = (startedAt: number) => {
  const seen = new Map<string, number>();
  let newest = startedAt;
  const floor = () => Math.max(startedAt, newest - TAIL_LATENESS_MS);
  return {
    /** The span the next poll reads. */
    window: (now: number) => ({
      from: new Date(floor()).toISOString(),
      to: new Date(now + 60_000).toISOString(),
    }),
    /** The entries not sent yet, oldest first; remembers them. */
    take(entries: StoreLogEntry[]): StoreLogEntry[] {
      const fresh = entries
        .filter((e) => !seen.has(e.uuid) && Date.parse(e.timestamp) >= startedAt)
        .sort((a, b) => a.timestamp.localeCompare(b.timestamp));
      for (const e of fresh) {
        const at = Date.parse(e.timestamp);
        seen.set(e.uuid, at);
        newest = Math.max(newest, at);
      }
      // What falls before the next window can never be read again.
      for (const [uuid, at] of seen) if (at < floor()) seen.delete(uuid);
      return fresh;
    },
  };
};

/**
 * What a quiet tail sends to stay open: an entry of the project with no lines. Unlike an SSE
 * comment, a reader that parses every event as JSON (BigCommerce's CLI does) accepts it.
 */
export const keepAliveEntry = (projectId: string, at: Date): StoreLogEntry => ({
  uuid: newId(),
  project_uuid: projectId,
  request: null,
  logs: [],
  exceptions: [],
  timestamp: at.toISOString(),
});
