import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DomainEvent } from '../core/shared/domain-events.ts';
import { fanOut } from '../core/webhooks/fan-out.ts';
import { logger } from '../http/logger.ts';
import { deploymentView } from '../http/views.ts';
import { fanOutDeps } from '../wiring/webhooks-fan-out.ts';

const DOMAIN_EVENT_TYPES = new Set([
  'DeploymentStatusChanged',
  'ApplicationHealthChanged',
  'ConnectorPublished',
]);

/** A record's domain event: the body is the EventBridge event (`detail` is the domain event). */
const domainEventOf = (body: string): DomainEvent | undefined => {
  try {
    const envelope = JSON.parse(body) as { detail?: { type?: unknown; tenant?: unknown; at?: unknown } };
    const detail = envelope.detail;
    return detail &&
      DOMAIN_EVENT_TYPES.has(String(detail.type)) &&
      typeof detail.tenant === 'string' &&
      typeof detail.at === 'string'
      ? (detail as DomainEvent)
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The webhook fan-out: domain events from the stack's bus, through a queue (an EventBridge
 * rule targets it; messages that keep failing go to its dead-letter queue), become deliveries
 * (functions/core/webhooks/fan-out.ts). `npm start` hands it each event of its in-process bus
 * in the same shape, a batch of one. A record that cannot be fanned out is reported as a batch
 * item failure, so only it comes back; one that is not a domain event is dropped, logged.
 */
export const fanOutRecords = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  const parsed = event.Records.map((record) => ({ record, domainEvent: domainEventOf(record.body) }));
  for (const { record } of parsed.filter((p) => !p.domainEvent))
    logger.warn('webhook fan-out dropped a message that is no domain event', { messageId: record.messageId });
  const usable = parsed.filter(
    (p): p is { record: (typeof parsed)[number]['record']; domainEvent: DomainEvent } =>
      Boolean(p.domainEvent),
  );
  const { added, failed } = await fanOut(
    { ...fanOutDeps, viewOf: deploymentView },
    usable.map((p) => p.domainEvent),
  );
  if (failed.length > 0) logger.warn('webhook fan-out failed for some events', { failed });
  if (added > 0) logger.info('webhook deliveries added', { added });
  return {
    batchItemFailures: failed.map(({ index }) => ({ itemIdentifier: usable[index]?.record.messageId ?? '' })),
  };
};

export const handler = middy<SQSEvent, SQSBatchResponse>({ timeoutEarlyInMillis: 0 }).handler(fanOutRecords);
