/**
 * Deliveries as users see and steer them: the listing of a subscription's deliveries with each
 * attempt, a manual retry, and a ping (a `webhook.ping` test event). Also how a delivery is
 * made from a message, for the fan-out and the ping alike.
 */
import { createHash } from 'node:crypto';
import type { Page, PageRequest } from '../shared/listing.ts';
import { deliveryNotFound } from './errors.ts';
import { pingMessage } from './events.ts';
import { DELIVERY_RETENTION_DAYS, type Delivery, type WebhookMessage } from './model.ts';
import { ownedSubscription, type ScopeRequest, type WebhookDeps } from './subscriptions.ts';

/**
 * A delivery's id: a UUIDv7 whose time is the event's and whose other bits come from the
 * message and the subscription. Sorting by id sorts by event time (the listing's order), and
 * the same message for the same subscription always has the same id (written once).
 */
export const deliveryIdOf = (messageId: string, subscriptionId: string, at: string): string => {
  const bytes = createHash('sha256').update(`${messageId}|${subscriptionId}`).digest().subarray(0, 16);
  const ms = Math.max(0, Date.parse(at) || 0);
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(ms / 2 ** (8 * (5 - i))) % 256;
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** The delivery of `message` to a subscription, pending and due at once. */
export const newDelivery = (
  message: WebhookMessage,
  subscription: { id: string; tenant: string },
  now: string,
): Delivery => ({
  id: deliveryIdOf(message.messageId, subscription.id, message.at),
  subscriptionId: subscription.id,
  tenant: subscription.tenant,
  messageId: message.messageId,
  eventType: message.type,
  body: message.body,
  streamKey: message.streamKey,
  orderKey: message.orderKey,
  status: 'pending',
  seriesAttempts: 0,
  attempts: [],
  nextAttemptAt: now,
  createdAt: now,
  lastModifiedAt: now,
});

/** A subscription's deliveries, newest first. */
export const listDeliveries = async (
  deps: Pick<WebhookDeps, 'projects' | 'subscriptions' | 'deliveries'>,
  tenant: string,
  request: ScopeRequest,
  subscriptionId: string,
  page: PageRequest,
): Promise<Page<Delivery>> => {
  await ownedSubscription(deps, tenant, request, subscriptionId);
  return deps.deliveries.list(subscriptionId, page);
};

/**
 * Sends a delivery again (the same `webhook-id`), with a fresh series of automatic retries. It
 * still waits for an earlier pending delivery of its deployment, as every delivery does.
 */
export const retryDelivery = async (
  deps: WebhookDeps,
  tenant: string,
  request: ScopeRequest,
  subscriptionId: string,
  deliveryId: string,
): Promise<Delivery> => {
  await ownedSubscription(deps, tenant, request, subscriptionId);
  const delivery = await deps.deliveries.get(subscriptionId, deliveryId);
  if (!delivery) throw deliveryNotFound(deliveryId);
  const requeued = await deps.deliveries.requeue(delivery, deps.clock.now().toISOString());
  await deps.trigger.dispatchSoon();
  return requeued;
};

/** Sends a `webhook.ping` event to the subscription now (also when it is inactive). */
export const pingSubscription = async (
  deps: WebhookDeps,
  tenant: string,
  request: ScopeRequest,
  subscriptionId: string,
): Promise<Delivery> => {
  const subscription = await ownedSubscription(deps, tenant, request, subscriptionId);
  const now = deps.clock.now().toISOString();
  const delivery = newDelivery(pingMessage(subscription.id, now), subscription, now);
  await deps.deliveries.add(delivery, DELIVERY_RETENTION_DAYS);
  await deps.trigger.dispatchSoon();
  return delivery;
};
