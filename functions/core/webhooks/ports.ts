/** What the webhook use cases need from storage, HTTP and crypto; adapters implement them. */
import type { Page, PageRequest } from '../shared/listing.ts';
import type { Delivery, DeliveryAttempt, Subscription } from './model.ts';

export interface SubscriptionRepository {
  /** Writes a new subscription within the tenant's quota; throws `WebhookLimitExceeded`. */
  create(subscription: Subscription, limit: number): Promise<void>;
  get(tenant: string, id: string): Promise<Subscription | undefined>;
  /** Every subscription of the tenant (at most its quota), oldest first. */
  listAll(tenant: string): Promise<Subscription[]>;
  /** Replaces it if still at `expectedVersion`; throws `ConcurrentModification` or `ResourceNotFound`. */
  update(subscription: Subscription, expectedVersion: number): Promise<void>;
  /** Removes it (and gives its place in the quota back); false when it was already gone. */
  delete(subscription: Subscription): Promise<boolean>;
  /** A failed attempt: remembers since when it fails (kept if already set); answers that time. */
  markFailing(tenant: string, id: string, at: string): Promise<string | undefined>;
  /** A successful attempt: it no longer fails. */
  markSucceeding(tenant: string, id: string): Promise<void>;
  /** Turns it off, saying why (a change of its own: its version goes up). */
  disable(tenant: string, id: string, reason: string, at: string): Promise<void>;
}

/** A delivery a dispatcher holds for one attempt, until `leaseUntil`. */
export interface ClaimedDelivery {
  delivery: Delivery;
  leaseId: string;
}

/** How an attempt ended, for `DeliveryRepository.finishAttempt`. */
export type AttemptOutcome =
  | { kind: 'retry'; attempt: DeliveryAttempt; nextAttemptAt: string }
  | { kind: 'done'; status: 'succeeded' | 'failed'; attempt?: DeliveryAttempt; error?: string };

/**
 * Deliveries and the due queue. Every pending delivery is in the queue, due at its next
 * attempt; one that is not the first pending delivery of its stream (subscription and stream
 * key) is deferred when taken, behind the first, and woken when the first is done. Each
 * delivery is written once (its id is derived from the event and the subscription), so a
 * repeated fan-out adds nothing; each change that must hold together is one transaction.
 */
export interface DeliveryRepository {
  /** Adds the delivery, due at once, unless it exists (then false). */
  add(delivery: Delivery, retentionDays: number): Promise<boolean>;
  get(subscriptionId: string, id: string): Promise<Delivery | undefined>;
  /** A subscription's deliveries, newest first. */
  list(subscriptionId: string, page: PageRequest): Promise<Page<Delivery>>;
  /** Due deliveries (next attempt, or an expired lease, at or before `now`), earliest first. */
  listDue(now: string, limit: number): Promise<Delivery[]>;
  /** The earliest time a queued delivery falls due, if any is queued. */
  nextDueAt(): Promise<string | undefined>;
  /** Takes a due delivery for one attempt until `leaseUntil`; undefined if another took it first. */
  claim(delivery: Delivery, now: string, leaseUntil: string): Promise<ClaimedDelivery | undefined>;
  /** The first pending delivery's id in the delivery's stream (the one that may go out). */
  streamHead(delivery: Delivery): Promise<string | undefined>;
  /** Gives a taken delivery back, due when the stream's first (`headId`) is, at the earliest. */
  deferBehind(claimed: ClaimedDelivery, headId: string, now: string): Promise<void>;
  /** Records an attempt's outcome while the lease holds; false when the lease was lost. */
  finishAttempt(claimed: ClaimedDelivery, outcome: AttemptOutcome, now: string): Promise<boolean>;
  /** A manual retry: pending again and due now, its series of attempts restarted. */
  requeue(delivery: Delivery, now: string): Promise<Delivery>;
  /** Every leased delivery falls due now (at start-up, when no attempt of an earlier run is in flight). */
  releaseLeases(now: string): Promise<number>;
}

/** What an attempt sends, and what came back. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface AttemptResult {
  statusCode?: number;
  durationMs: number;
  /** The first 1 KB of the response body (read up to a limit, then dropped). */
  responseBody?: string;
  retryAfter?: string;
  /** Why no response counts: refused address, timeout, connection error, redirect. */
  error?: string;
}

/**
 * Sends one attempt: no redirect followed, a time limit, the response body read up to a limit,
 * and only to addresses the policy allows, checked on the connection itself.
 */
export interface WebhookSender {
  send(request: OutgoingRequest): Promise<AttemptResult>;
}

/** Signs per Standard Webhooks: `v1,<base64>` for each secret, space-separated. */
export interface WebhookSigner {
  sign(secrets: string[], messageId: string, at: Date, body: string): string;
  /** A new secret: `whsec_` and the base64 of 32 random bytes. */
  newSecret(): string;
}

/** Asks a dispatcher to run soon (after a fan-out, a ping or a retry). Never throws. */
export interface DispatchTrigger {
  dispatchSoon(): Promise<void>;
}
