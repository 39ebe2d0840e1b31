/** Webhook subscriptions and deliveries as each dialect shows them. A secret appears only where it is made. */
import type { Delivery, DeliveryAttempt, Subscription } from '../core/webhooks/model.ts';

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/** Connect: the subscription, and its signing secret in the answers of create and rotate only. */
export const subscriptionView = (s: Subscription, secret?: string) => ({
  id: s.id,
  version: s.version,
  url: s.url,
  events: s.events,
  ...optional('description', s.description),
  active: s.active,
  ...optional('disabledReason', s.disabledReason),
  ...optional('disabledAt', s.disabledAt),
  ...optional('secret', secret),
  createdAt: s.createdAt,
  lastModifiedAt: s.lastModifiedAt,
});

/** The payload as sent (JSON, captured at fan-out). */
const payloadOf = (d: Delivery): unknown => {
  try {
    return JSON.parse(d.body);
  } catch {
    return d.body;
  }
};

const attemptView = (a: DeliveryAttempt) => ({
  number: a.number,
  attemptedAt: a.at,
  ...optional('statusCode', a.statusCode),
  durationMs: a.durationMs,
  ...optional('responseBody', a.responseBody),
  ...optional('error', a.error),
  ...optional('nextAttemptAt', a.nextAttemptAt),
  trigger: a.trigger,
});

export const deliveryView = (d: Delivery) => ({
  id: d.id,
  webhookId: d.subscriptionId,
  messageId: d.messageId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts.map(attemptView),
  ...optional('nextAttemptAt', d.status === 'pending' ? d.nextAttemptAt : undefined),
  ...optional('error', d.error),
  payload: payloadOf(d),
  createdAt: d.createdAt,
  lastModifiedAt: d.lastModifiedAt,
});

/** BigCommerce: the same, in its spelling. */
export const storeSubscriptionView = (s: Subscription, secret?: string) => ({
  id: s.id,
  url: s.url,
  events: s.events,
  ...optional('description', s.description),
  is_active: s.active,
  ...optional('disabled_reason', s.disabledReason),
  ...optional('date_disabled', s.disabledAt),
  ...optional('secret', secret),
  date_created: s.createdAt,
  date_modified: s.lastModifiedAt,
});

export const storeDeliveryView = (d: Delivery) => ({
  id: d.id,
  webhook_id: d.subscriptionId,
  message_id: d.messageId,
  event_type: d.eventType,
  status: d.status,
  attempts: d.attempts.map((a) => ({
    number: a.number,
    attempted_at: a.at,
    ...optional('status_code', a.statusCode),
    duration_ms: a.durationMs,
    ...optional('response_body', a.responseBody),
    ...optional('error', a.error),
    ...optional('next_attempt_at', a.nextAttemptAt),
    trigger: a.trigger,
  })),
  ...optional('next_attempt_at', d.status === 'pending' ? d.nextAttemptAt : undefined),
  ...optional('error', d.error),
  payload: payloadOf(d),
  date_created: d.createdAt,
  date_modified: d.lastModifiedAt,
});

/** BigCommerce's offset pagination meta, for `page` and `limit`. */
export const storePagination = (total: number, count: number, page: number, limit: number) => ({
  pagination: {
    total,
    count,
    per_page: limit,
    current_page: page,
    total_pages: Math.max(1, Math.ceil(total / limit)),
  },
});
