/**
 * Webhooks: subscriptions to Slipway's events, signed per the Standard Webhooks specification,
 * and their deliveries. A subscription belongs to one project (the Connect dialect,
 * `/{projectKey}/webhooks`) or to a whole store (the BigCommerce dialect: every project of
 * the tenant). docs/webhooks.md is the user's description of all of it.
 */

/** The events a subscription may ask for (`webhook.ping` is sent on request, to anyone). */
export const WEBHOOK_EVENT_TYPES = [
  'deployment.created',
  'deployment.status_changed',
  'deployment.deployed',
  'deployment.failed',
  'deployment.deleted',
  'deployment.rolled_back',
  'deployment.unhealthy',
  'deployment.recovered',
  'connector.published',
] as const;
export type SubscribableEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
export type WebhookEventType = SubscribableEventType | 'webhook.ping';

/** What a subscription covers: one project of the tenant, or every project of a store. */
export type SubscriptionScope = { kind: 'project'; projectKey: string } | { kind: 'store' };

/**
 * A signing secret as stored: sealed with the secret cipher, never in clear. The newest one
 * signs; an older one keeps signing beside it until `expiresAt` (a rotation's overlap).
 */
export interface StoredSecret {
  ciphertext: string;
  createdAt: string;
  expiresAt?: string;
}

export interface Subscription {
  id: string;
  tenant: string;
  scope: SubscriptionScope;
  url: string;
  events: SubscribableEventType[];
  description?: string;
  active: boolean;
  /** Why Slipway turned it off (410 Gone, or failing for days); cleared when reactivated. */
  disabledReason?: string;
  disabledAt?: string;
  /** Since when every attempt failed (cleared by a success). Internal. */
  failingSince?: string;
  /** Newest first; the first is the current secret. */
  secrets: StoredSecret[];
  version: number;
  createdAt: string;
  lastModifiedAt: string;
}

/** One HTTP attempt of a delivery, as `GET …/deliveries` shows it. */
export interface DeliveryAttempt {
  /** 1, 2, 3… over the delivery's life (a manual retry continues the count). */
  number: number;
  at: string;
  /** Absent when no response came (refused address, timeout, connection error). */
  statusCode?: number;
  durationMs: number;
  /** The first 1 KB of the response body. */
  responseBody?: string;
  error?: string;
  /** When the next attempt is due, if there is one. */
  nextAttemptAt?: string;
  trigger: 'automatic' | 'manual';
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed';

/**
 * One event for one subscription. `body` is the exact JSON sent (captured at fan-out, so a
 * deleted deployment's last view stays); `messageId` is `webhook-id`, the same on every
 * attempt. Deliveries of one subscription and one `streamKey` (a deployment, a connector) go
 * out one at a time in `orderKey` order: the next waits while an earlier one is pending.
 */
export interface Delivery {
  id: string;
  subscriptionId: string;
  tenant: string;
  messageId: string;
  eventType: WebhookEventType;
  body: string;
  streamKey: string;
  orderKey: string;
  status: DeliveryStatus;
  /** Attempts of the current series (automatic retries restart after a manual retry). */
  seriesAttempts: number;
  attempts: DeliveryAttempt[];
  nextAttemptAt?: string;
  /** Why it failed without an attempt (the subscription was disabled or deleted). */
  error?: string;
  createdAt: string;
  lastModifiedAt: string;
}

/** A webhook event ready to be fanned out: its payload and where it falls in its stream. */
export interface WebhookMessage {
  messageId: string;
  type: WebhookEventType;
  /** When the event happened (the payload's `timestamp`). */
  at: string;
  body: string;
  streamKey: string;
  orderKey: string;
}

/** How many subscriptions a tenant may hold (all projects and the store together). */
export const MAX_SUBSCRIPTIONS_PER_TENANT = 100;
/** How long a rotated-out secret keeps signing beside the new one. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;
/** How long deliveries (and their attempts) are kept. */
export const DELIVERY_RETENTION_DAYS = 30;
/** Attempts shown per delivery: the newest. */
export const MAX_ATTEMPTS_KEPT = 20;
