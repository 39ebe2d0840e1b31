import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../config.ts';
import type { DeploymentLog } from '../core/deployments/model.ts';
import {
  assertStoreUuid,
  endsStream,
  statesToSend,
  storeDeploymentStates,
  streamCursor,
} from '../core/store/deployment-states.ts';
import { getStoreDeployment } from '../core/store/deployments.ts';
import { keepAliveEntry, logTail, projectLogSource, storeLogEntry } from '../core/store/logs.ts';
import { operation } from '../http/pipeline.ts';
import { sse, streamingApiHandler } from '../http/streaming.ts';
import { publicBaseUrl, storeEventView } from '../http/views.ts';
import { rateLimitDeps } from '../wiring/rate-limits.ts';
import { authDeps, streamDeps } from '../wiring/store-streams.ts';

const STORE = '/stores/{store_hash}/v3/infrastructure';
const TAIL_PAGE = 500;

/** Every log entry of a deployment in a span, page after page. */
const readAll = async (deploymentId: string, span: { from: string; to: string }) => {
  const out: DeploymentLog[] = [];
  let pageToken: string | undefined;
  do {
    const page = await streamDeps.logs.page(deploymentId, {
      ...span,
      limit: TAIL_PAGE,
      ...(pageToken ? { pageToken } : {}),
    });
    out.push(...page.data);
    pageToken = page.next;
  } while (pageToken);
  return out;
};

/** Waits `ms`, or less when the client goes away. */
const pause = (ms: number, signal: AbortSignal) =>
  sleep(Math.max(0, ms), undefined, { signal }).catch(() => undefined);

/**
 * One event: a single `data:` line of JSON and the blank line, written at once. The SSE id
 * comes first only for a client that asked to resume: the simplest readers (BigCommerce's own
 * CLI among them) split a chunk on blank lines, strip `data:` and parse the rest as JSON, so
 * any other line (`id:`, `event:`, a `:` comment) makes them drop the event.
 */
const frame = (data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;

/**
 * The BigCommerce dialect's two streams (Server-Sent Events), on AWS through a function URL
 * in response-streaming mode (see `http/streaming.ts`). Both look for what is new once a
 * second (`SLIPWAY_STREAM_POLL_MS`), send a keep-alive that is itself a complete event after
 * `SLIPWAY_STREAM_KEEPALIVE_SECONDS` of quiet, and end on their own, before Lambda's limit.
 */
export const handler = streamingApiHandler(
  {
    /**
     * A deployment's states: every step of its trail (a late subscriber misses nothing), then
     * the outcome. A client reconnecting with Last-Event-ID gets ids, and only what followed.
     * Ends with the outcome, or after 30 s.
     */
    [`GET ${STORE}/deployments/{deployment_uuid}/events`]: operation({
      run: async ({ event, pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.deployment_uuid, 'deploymentUuid');
        let d = await getStoreDeployment(streamDeps, principal().tenant, uuid);
        const base = publicBaseUrl(event.headers);
        const lastEventId = event.headers['last-event-id'];
        const withIds = lastEventId !== undefined;
        return sse(async (write, signal) => {
          const until = Date.now() + config.eventStreamSeconds * 1000;
          const keepAliveMs = config.streamKeepAliveSeconds * 1000;
          let cursor = streamCursor(lastEventId);
          let lastWrite = Date.now();
          for (;;) {
            const states = storeDeploymentStates(d, await streamDeps.events.list(d.id));
            const next = statesToSend(states, cursor);
            cursor = next.cursor;
            for (const state of next.send)
              write(frame(storeEventView(d, state, base), withIds ? state.id : undefined));
            const current = states.at(-1);
            if (next.send.length > 0) lastWrite = Date.now();
            else if (current && Date.now() - lastWrite >= keepAliveMs) {
              write(frame(storeEventView(d, current, base)));
              lastWrite = Date.now();
            }
            if (endsStream(current) || signal.aborted || Date.now() >= until) return;
            await pause(Math.min(config.streamPollMs, until - Date.now()), signal);
            d = (await streamDeps.deployments.get(d.projectId, d.id)) ?? d;
          }
        });
      },
    }),

    /**
     * The project's live logs: what its application writes and the requests its address
     * serves, from now on, each once and in order; ends after 60 s.
     */
    [`GET ${STORE}/logs/{project_uuid}/tail`]: operation({
      run: async ({ pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.project_uuid, 'project_uuid');
        const store = principal().tenant;
        const { project } = await projectLogSource(streamDeps, store, uuid);
        // From the moment the client gets its answer's headers: what follows is in the tail.
        const started = Date.now();
        return sse(async (write, signal) => {
          const until = started + config.logTailSeconds * 1000;
          const keepAliveMs = config.streamKeepAliveSeconds * 1000;
          const tail = logTail(started);
          let lastWrite = started;
          for (;;) {
            // Looked up each time: a deployment finishing meanwhile takes over the address.
            const { deploymentId } = await projectLogSource(streamDeps, store, project.id);
            if (deploymentId) {
              const read = await readAll(deploymentId, tail.window(Date.now()));
              for (const entry of tail.take(read.map((log) => storeLogEntry(project.id, log)))) {
                write(frame(entry));
                lastWrite = Date.now();
              }
            }
            const now = Date.now();
            if (now - lastWrite >= keepAliveMs) {
              write(frame(keepAliveEntry(project.id, new Date(now))));
              lastWrite = now;
            }
            if (signal.aborted || now >= until) return;
            await pause(Math.min(config.streamPollMs, until - now, lastWrite + keepAliveMs - now), signal);
          }
        });
      },
    }),
  },
  authDeps,
  // Opening (and reopening) a stream counts as a request: thousands of streams held open at
  // once would otherwise take the account's Lambda concurrency from everyone.
  { rateLimits: rateLimitDeps },
);
