/** What the webhook routes accept, in each dialect; the use cases take the parsed shapes. */
import * as z from 'zod';
import { QueryInt } from '../shared/schemas.ts';
import { WEBHOOK_EVENT_TYPES } from './model.ts';
import { MAX_URL_LENGTH } from './urls.ts';

const Url = z
  .string()
  .min(1)
  .max(MAX_URL_LENGTH)
  .meta({ description: 'https only (http to loopback when the server allows it); no redirects followed' });

const Events = z
  .array(z.enum(WEBHOOK_EVENT_TYPES))
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length)
  .refine((events) => new Set(events).size === events.length, 'must not name an event twice')
  .meta({ description: 'The events to receive (at least one)' });

const Description = z.string().max(256);

export const WebhookDraft = z.strictObject({ url: Url, events: Events, description: Description.optional() });
export type WebhookDraft = z.infer<typeof WebhookDraft>;

/** What an update may change; absent fields stay as they are. */
export interface WebhookChanges {
  version?: number;
  url?: string;
  events?: z.infer<typeof Events>;
  description?: string | null;
  active?: boolean;
}

/** Connect: the fields to change, with the subscription's current `version` (409 when stale). */
export const WebhookUpdate = z.strictObject({
  version: z.number().int().min(1),
  url: Url.optional(),
  events: Events.optional(),
  description: Description.nullable().optional().meta({ description: 'null removes it' }),
  active: z.boolean().optional().meta({ description: 'true re-enables a disabled subscription' }),
});

/** BigCommerce: the same fields in its spelling, without a version (last write wins). */
export const StoreWebhookUpdate = z.strictObject({
  url: Url.optional(),
  events: Events.optional(),
  description: Description.nullable().optional(),
  is_active: z.boolean().optional(),
});

/** Connect paging of subscriptions (a tenant has at most 100: no cursor needed). */
export const WebhookListQuery = z.strictObject({
  limit: QueryInt(1, 500).default(20),
  offset: QueryInt(0, 10_000).default(0),
});

/** BigCommerce paging: `page` (from 1) and `limit`, as its v3 lists take them. */
export const StorePageQuery = z
  .strictObject({
    page: QueryInt(1, 10_000).default(1),
    limit: QueryInt(1, 250).default(50),
  })
  .refine((q) => (q.page - 1) * q.limit <= 10_000, {
    path: ['page'],
    message: 'reaches past the first 10,000 items',
  });
