import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { normalisePath, pubSubPushBody } from '../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { startApplication } from './application-process.ts';
import { causeOf } from './errors.ts';
import type { Hosted, LaunchContext, Launched, PublishResult, Say } from './types.ts';

/**
 * Event applications: a process like a service, plus a local topic whose messages are pushed
 * to the application's endpoint in Google Pub/Sub's push format.
 */

const DELIVERY_ATTEMPTS = 3;
const DELIVERY_TIMEOUT_MS = 30_000;

export const topicOf = (r: { deploymentId: string; applicationName: string }) =>
  `slipway-${r.deploymentId}-${r.applicationName}`;

/** Starts an event application; it is reachable as its topic. */
export const launchEvent = async (request: HostingRequest, context: LaunchContext): Promise<Launched> => {
  const { port, process } = await startApplication(request, context);
  return { port, process, result: { topic: topicOf(request) } };
};

/**
 * Pushes one message of `topic` to `subscriber`'s endpoint, retried up to three times on a
 * connection error or a non-2xx answer; every failed attempt is an output line.
 */
export const pushMessage = async (
  subscriber: Hosted,
  topic: string,
  data: unknown,
  attributes: Record<string, string>,
  say: Say,
): Promise<PublishResult> => {
  const messageId = randomUUID();
  const body = pubSubPushBody({
    data: JSON.stringify(data),
    messageId,
    publishTime: new Date().toISOString(),
    attributes,
    subscription: topic,
  });
  const url = `http://127.0.0.1:${subscriber.port}${normalisePath(subscriber.request.endpoint, '/')}`;
  let status: number | undefined;
  for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      status = response.status;
      if (response.ok) return { messageId, delivered: true, status };
      say(`[slipway] message ${messageId} attempt ${attempt}: ${url} answered ${status}`, 'stderr');
    } catch (error) {
      say(`[slipway] message ${messageId} attempt ${attempt}: ${causeOf(error)}`, 'stderr');
    }
    if (attempt < DELIVERY_ATTEMPTS) await delay(100 * attempt);
  }
  return status === undefined ? { messageId, delivered: false } : { messageId, delivered: false, status };
};
