/**
 * From domain events to webhook events: which webhook events one domain event is, their
 * payloads (Standard Webhooks' `{type, timestamp, data}` with the event's `id`), their ids
 * and where each falls in its stream.
 *
 * Ids are derived from the domain event, so an event fanned out twice (a redelivered queue
 * message, a replay after a crash) makes the same messages and the same deliveries, which the
 * repository writes once. Order: a deployment's events by its version (each status change
 * bumps it), then time; one domain event's messages in the order listed here.
 */
import { createHash, randomBytes } from 'node:crypto';
import type {
  ApplicationHealthChanged,
  ConnectorPublished,
  DeploymentStatusChanged,
  DomainEvent,
} from '../shared/domain-events.ts';
import type { SubscribableEventType, WebhookEventType, WebhookMessage } from './model.ts';

/** The deployment's public view when the event was fanned out (never secured values), if it still exists. */
export type DeploymentSnapshot = { view: Record<string, unknown>; version: number } | undefined;

const messageId = (domainKey: string, type: WebhookEventType) =>
  `msg_${createHash('sha256').update(`${domainKey}|${type}`).digest('base64url').slice(0, 24)}`;

const padded = (n: number) => String(n).padStart(10, '0');

const message = (
  type: WebhookEventType,
  id: string,
  at: string,
  data: Record<string, unknown>,
  stream: { key: string; order: string },
): WebhookMessage => ({
  messageId: id,
  type,
  at,
  body: JSON.stringify({ id, type, timestamp: at, data }),
  streamKey: stream.key,
  orderKey: stream.order,
});

/** What every deployment event's data starts with: the project, the deployment and its view. */
const deploymentData = (
  e: DeploymentStatusChanged | ApplicationHealthChanged,
  snapshot: DeploymentSnapshot,
) => ({
  projectKey: e.projectKey,
  deploymentId: e.deploymentId,
  ...(e.deploymentKey === undefined ? {} : { deploymentKey: e.deploymentKey }),
  // A removed deployment is gone by the time its removal is fanned out: its id and key stand in.
  deployment: snapshot?.view ?? {
    id: e.deploymentId,
    ...(e.deploymentKey === undefined ? {} : { key: e.deploymentKey }),
  },
});

/** The webhook events a status change is: status_changed always, and what it means. */
const statusTypes = (e: DeploymentStatusChanged): SubscribableEventType[] => {
  const types: SubscribableEventType[] = [];
  if (e.from === undefined) types.push('deployment.created');
  types.push('deployment.status_changed');
  if (e.status === 'Deployed')
    types.push(e.rollbackRevision === undefined ? 'deployment.deployed' : 'deployment.rolled_back');
  if (e.status === 'Failed' || e.status === 'UndeployFailed') types.push('deployment.failed');
  if (e.status === 'Removed') types.push('deployment.deleted');
  return types;
};

const statusMessages = (e: DeploymentStatusChanged, snapshot: DeploymentSnapshot): WebhookMessage[] => {
  const key = `status:${e.deploymentId}:${e.operationId}:${e.version}:${e.status}`;
  return statusTypes(e).map((type, rank) =>
    message(
      type,
      messageId(key, type),
      e.at,
      {
        ...deploymentData(e, snapshot),
        from: e.from ?? null,
        to: e.status,
        ...(e.rollbackRevision === undefined ? {} : { rollbackRevision: e.rollbackRevision }),
      },
      { key: `deployment:${e.deploymentId}`, order: `${padded(e.version)}#${e.at}#${rank}` },
    ),
  );
};

/** A health change has no version of its own: it falls after the status its deployment had then. */
const healthMessages = (e: ApplicationHealthChanged, snapshot: DeploymentSnapshot): WebhookMessage[] => {
  const type = e.healthy ? 'deployment.recovered' : 'deployment.unhealthy';
  const key = `health:${e.deploymentId}:${e.applicationName}:${e.healthy}:${e.at}`;
  return [
    message(
      type,
      messageId(key, type),
      e.at,
      {
        ...deploymentData(e, snapshot),
        applicationName: e.applicationName,
        healthy: e.healthy,
        message: e.message,
      },
      { key: `deployment:${e.deploymentId}`, order: `${padded(snapshot?.version ?? 0)}#${e.at}#0` },
    ),
  ];
};

const connectorMessages = (e: ConnectorPublished): WebhookMessage[] => {
  const type = 'connector.published';
  return [
    message(
      type,
      messageId(`connector:${e.connectorId}:${e.version}`, type),
      e.at,
      {
        connectorId: e.connectorId,
        ...(e.connectorKey === undefined ? {} : { connectorKey: e.connectorKey }),
        version: e.version,
      },
      { key: `connector:${e.connectorId}`, order: `${padded(e.version)}#${e.at}#0` },
    ),
  ];
};

/** The webhook events a domain event is, with their payloads. */
export const messagesOf = (event: DomainEvent, snapshot: DeploymentSnapshot): WebhookMessage[] => {
  switch (event.type) {
    case 'DeploymentStatusChanged':
      return statusMessages(event, snapshot);
    case 'ApplicationHealthChanged':
      return healthMessages(event, snapshot);
    case 'ConnectorPublished':
      return connectorMessages(event);
  }
};

/** A test event for one subscription: a stream of its own, so it never waits for another. */
export const pingMessage = (subscriptionId: string, at: string): WebhookMessage => {
  const id = `msg_${randomBytes(18).toString('base64url')}`;
  return message(
    'webhook.ping',
    id,
    at,
    { webhookId: subscriptionId, message: 'A test event from Slipway: this endpoint receives its webhooks.' },
    { key: `ping:${id}`, order: at },
  );
};
