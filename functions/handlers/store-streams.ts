import { setTimeout as sleep } from 'node:timers/promises';
import { config } from '../config.ts';
import { assertStoreUuid, endsStream, storeDeploymentStates } from '../core/store/deployment-states.ts';
import { getStoreDeployment } from '../core/store/deployments.ts';
import { projectLogSource, storeLogEntry } from '../core/store/logs.ts';
import { operation } from '../http/pipeline.ts';
import { sse, streamingApiHandler } from '../http/streaming.ts';
import { publicBaseUrl, storeEventView } from '../http/views.ts';
import { authDeps, streamDeps } from '../wiring/store-streams.ts';

const STORE = '/stores/{store_hash}/v3/infrastructure';

/** Waits `ms`, or less when the client goes away. */
const pause = (ms: number, signal: AbortSignal) =>
  sleep(Math.max(0, ms), undefined, { signal }).catch(() => undefined);

const message = (data: unknown, id?: number) =>
  `${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(data)}\n\n`;

/**
 * The BigCommerce dialect's two streams (Server-Sent Events), on AWS through a function URL
 * in response-streaming mode (see `http/streaming.ts`). Both look for what is new once a
 * second (`SLIPWAY_STREAM_POLL_MS`) and end on their own, before Lambda's limit.
 */
export const handler = streamingApiHandler(
  {
    /**
     * A deployment's states: every step of its trail (a late subscriber misses nothing; each
     * carries its position as the SSE id, so a client reconnecting with Last-Event-ID gets only
     * what followed), then the outcome. Ends with the outcome, or after 30 s.
     */
    [`GET ${STORE}/deployments/{deployment_uuid}/events`]: operation({
      run: async ({ event, pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.deployment_uuid, 'deploymentUuid');
        let d = await getStoreDeployment(streamDeps, principal().tenant, uuid);
        const base = publicBaseUrl(event.headers);
        const resumeFrom = Number.parseInt(event.headers['last-event-id'] ?? '', 10);
        return sse(async (write, signal) => {
          const until = Date.now() + config.eventStreamSeconds * 1000;
          let sent = Number.isInteger(resumeFrom) ? resumeFrom : -1;
          let spoke = false;
          for (;;) {
            const states = storeDeploymentStates(d, await streamDeps.events.list(d.id));
            for (const state of states) {
              if (state.id === undefined ? spoke : state.id <= sent) continue;
              write(message(storeEventView(d, state, base), state.id));
              if (state.id !== undefined) sent = state.id;
              spoke = true;
            }
            if (endsStream(states.at(-1)) || signal.aborted || Date.now() >= until) return;
            await pause(Math.min(config.streamPollMs, until - Date.now()), signal);
            d = (await streamDeps.deployments.get(d.projectId, d.id)) ?? d;
          }
        });
      },
    }),

    /**
     * The project's live logs: what its application writes and the requests its address serves,
     * from now on; a comment every 15 s keeps proxies from closing a quiet stream; ends after 60 s.
     */
    [`GET ${STORE}/logs/{project_uuid}/tail`]: operation({
      run: async ({ pathParameters, principal }) => {
        const uuid = assertStoreUuid(pathParameters.project_uuid, 'project_uuid');
        const store = principal().tenant;
        const { project } = await projectLogSource(streamDeps, store, uuid);
        return sse(async (write, signal) => {
          const started = Date.now();
          const until = started + config.logTailSeconds * 1000;
          const keepAliveMs = config.logTailKeepAliveSeconds * 1000;
          let lastWrite = started;
          let from = new Date(started).toISOString();
          let seenAtFrom = new Set<string>();
          write(': tailing\n\n');
          for (;;) {
            // Looked up each time: a deployment finishing meanwhile takes over the address.
            const { deploymentId } = await projectLogSource(streamDeps, store, project.id);
            const page = deploymentId
              ? await streamDeps.logs.page(deploymentId, {
                  from,
                  to: new Date(Date.now() + 60_000).toISOString(),
                  limit: 500,
                })
              : { data: [] };
            for (const log of page.data) {
              const entry = storeLogEntry(project.id, log);
              if (log.timestamp === from && seenAtFrom.has(entry.uuid)) continue;
              if (log.timestamp !== from) {
                from = log.timestamp;
                seenAtFrom = new Set();
              }
              seenAtFrom.add(entry.uuid);
              write(message(entry));
              lastWrite = Date.now();
            }
            const now = Date.now();
            if (now - lastWrite >= keepAliveMs) {
              write(': keep-alive\n\n');
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
);
