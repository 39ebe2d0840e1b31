/** The webhooks' routes in both dialects: what each accepts and answers (see `api-spec.ts`). */
import * as z from 'zod';
import { PageQuery } from '../core/shared/schemas.ts';
import {
  StorePageQuery,
  StoreWebhookUpdate,
  WebhookDraft,
  WebhookListQuery,
  WebhookUpdate,
} from '../core/webhooks/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

const CONNECT = '/{projectKey}/webhooks';
const ONE = `${CONNECT}/{webhookId}`;
const STORE = '/stores/{store_hash}/v3/infrastructure/webhooks';
const STORE_ONE = `${STORE}/{webhook_uuid}`;

/** `DELETE` may name the version it deletes (409 when stale), as Connect's deletes do. */
export const WebhookDeleteQuery = z.strictObject({
  version: z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .optional()
    .meta({ description: 'The current version (optional)' }),
});

const Subscription = z
  .object({
    id: z.string(),
    version: z.number().int(),
    url: z.string(),
    events: z.array(z.string()),
    description: z.string().optional(),
    active: z.boolean(),
    disabledReason: z
      .string()
      .optional()
      .meta({ description: 'Why Slipway turned it off (410 Gone, 3 days failing)' }),
    secret: z
      .string()
      .optional()
      .meta({ description: 'whsec_…: in the answers of create and rotate-secret only' }),
    createdAt: z.string(),
    lastModifiedAt: z.string(),
  })
  .meta({ id: 'WebhookSubscription', description: 'A webhook subscription (docs/webhooks.md)' });

export const WEBHOOKS_API = {
  [`POST ${CONNECT}`]: {
    summary: 'Subscribe a URL to events of the project (the signing secret is in this answer only)',
    status: 201,
    body: WebhookDraft,
    response: Subscription,
  },
  [`GET ${CONNECT}`]: {
    summary: "List the project's webhook subscriptions",
    status: 200,
    query: WebhookListQuery,
  },
  [`GET ${ONE}`]: { summary: 'Get a webhook subscription', status: 200, response: Subscription },
  [`POST ${ONE}`]: {
    summary: 'Update a webhook subscription (url, events, description, active) at its version',
    status: 200,
    body: WebhookUpdate,
    response: Subscription,
  },
  [`DELETE ${ONE}`]: { summary: 'Delete a webhook subscription', status: 200, query: WebhookDeleteQuery },
  [`POST ${ONE}/rotate-secret`]: {
    summary: 'A new signing secret (in this answer only); the old one also signs for 24 hours',
    status: 200,
    response: Subscription,
  },
  [`GET ${ONE}/deliveries`]: {
    summary: "A subscription's deliveries, newest first, each attempt with its status, duration and response",
    status: 200,
    query: PageQuery,
  },
  [`POST ${ONE}/deliveries/{deliveryId}/retry`]: {
    summary: 'Send a delivery again (the same webhook-id)',
    status: 202,
  },
  [`POST ${ONE}/ping`]: { summary: 'Send a webhook.ping test event now', status: 202 },
  [`POST ${STORE}`]: {
    summary: 'Subscribe a URL to events of every project of the store (the secret is in this answer only)',
    status: 200,
    body: WebhookDraft,
  },
  [`GET ${STORE}`]: { summary: "List the store's webhook subscriptions", status: 200, query: StorePageQuery },
  [`GET ${STORE_ONE}`]: { summary: 'Get a webhook subscription', status: 200 },
  [`PUT ${STORE_ONE}`]: {
    summary: 'Update a webhook subscription (url, events, description, is_active)',
    status: 200,
    body: StoreWebhookUpdate,
  },
  [`DELETE ${STORE_ONE}`]: { summary: 'Delete a webhook subscription', status: 204 },
  [`POST ${STORE_ONE}/rotate-secret`]: {
    summary: 'A new signing secret (in this answer only); the old one also signs for 24 hours',
    status: 200,
  },
  [`GET ${STORE_ONE}/deliveries`]: {
    summary: "A subscription's deliveries, newest first, each attempt with its status, duration and response",
    status: 200,
    query: StorePageQuery,
  },
  [`POST ${STORE_ONE}/deliveries/{delivery_uuid}/retry`]: {
    summary: 'Send a delivery again (the same webhook-id)',
    status: 202,
  },
  [`POST ${STORE_ONE}/ping`]: { summary: 'Send a webhook.ping test event now', status: 202 },
} as const satisfies Record<string, OperationSpec>;
