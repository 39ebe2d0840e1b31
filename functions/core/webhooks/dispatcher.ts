/**
 * The dispatcher: takes due deliveries from the queue and attempts them, signed, one at a
 * time per stream (a deployment's deliveries to one subscription go out in order: one waits
 * while an earlier one is pending), with retries on Standard Webhooks' schedule. The same use
 * case runs on an interval in `npm start` and on a schedule on AWS, and after each fan-out.
 *
 * At least once: a delivery is taken with a lease; a dispatcher that dies mid-attempt leaves
 * it to be taken again when the lease runs out (at once after a restart of `npm start`), and
 * the receiver sees the same `webhook-id` twice.
 *
 * 2xx is a success; anything else (3xx included: redirects are never followed), a timeout or
 * a refused address is a failure, retried later; 410 Gone disables the subscription; a
 * subscription whose every attempt failed for 3 days is disabled and says so.
 */
import type { SecretCipher } from '../deployments/ports.ts';
import type { Clock } from '../shared/clock.ts';
import type { DeliveryAttempt, Subscription } from './model.ts';
import type {
  AttemptOutcome,
  AttemptResult,
  ClaimedDelivery,
  DeliveryRepository,
  SubscriptionRepository,
  WebhookSender,
  WebhookSigner,
} from './ports.ts';
import {
  DISABLE_AFTER_FAILING_MS,
  parseRetryAfter,
  type RetryTiming,
  retryDelayMs,
} from './retry-schedule.ts';
import { openSecrets, signingSecrets } from './secrets.ts';

export const USER_AGENT = 'Slipway-Webhooks/1';

export interface DispatcherSettings {
  retry: RetryTiming;
  /** How long a taken delivery is held: longer than an attempt can last. */
  leaseMs: number;
  /** Due deliveries read at a time, and attempted at once. */
  batchSize: number;
  concurrency: number;
  /** A run takes no new delivery after this long (a Lambda has a time limit). */
  budgetMs: number;
}

export interface DispatcherDeps {
  subscriptions: Pick<SubscriptionRepository, 'get' | 'markFailing' | 'markSucceeding' | 'disable'>;
  deliveries: DeliveryRepository;
  cipher: Pick<SecretCipher, 'decrypt'>;
  signer: Pick<WebhookSigner, 'sign'>;
  sender: WebhookSender;
  clock: Clock;
  settings: DispatcherSettings;
}

export interface DispatchReport {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Deliveries a fault interrupted (a store or the cipher unavailable): taken again when their lease ends. */
  interrupted: number;
  /** When the next queued delivery falls due (for a local timer); absent when none is queued. */
  nextDueAt?: string;
}

type Handled = 'attempted' | 'succeeded' | 'failed' | 'skipped' | undefined;

const isSuccess = (status: number | undefined) => status !== undefined && status >= 200 && status < 300;

const errorOf = (result: AttemptResult): string | undefined =>
  result.error ??
  (result.statusCode !== undefined && result.statusCode >= 300 && result.statusCode < 400
    ? `The endpoint answered a redirect (${result.statusCode}), which is not followed`
    : undefined);

/** The request's headers, per Standard Webhooks: the same id on every attempt, this attempt's time. */
export const webhookHeaders = (
  signer: Pick<WebhookSigner, 'sign'>,
  secrets: string[],
  messageId: string,
  at: Date,
  body: string,
): Record<string, string> => ({
  'content-type': 'application/json',
  'user-agent': USER_AGENT,
  'webhook-id': messageId,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': signer.sign(secrets, messageId, at, body),
});

/** What the attempt's result means for the delivery: done, or when to try again. */
const outcomeOf = (
  deps: DispatcherDeps,
  claimed: ClaimedDelivery,
  result: AttemptResult,
  at: Date,
): AttemptOutcome => {
  const d = claimed.delivery;
  const series = d.seriesAttempts + 1;
  const attempt: DeliveryAttempt = {
    number: (d.attempts.at(-1)?.number ?? 0) + 1,
    at: at.toISOString(),
    ...(result.statusCode === undefined ? {} : { statusCode: result.statusCode }),
    durationMs: result.durationMs,
    ...(result.responseBody === undefined ? {} : { responseBody: result.responseBody }),
    ...(errorOf(result) === undefined ? {} : { error: errorOf(result) }),
    trigger: series === 1 && d.attempts.length > 0 ? 'manual' : 'automatic',
  };
  if (isSuccess(result.statusCode)) return { kind: 'done', status: 'succeeded', attempt };
  if (result.statusCode === 410) return { kind: 'done', status: 'failed', attempt };
  const throttled = result.statusCode === 429 || result.statusCode === 503;
  const delay = retryDelayMs(
    series,
    deps.settings.retry,
    throttled ? parseRetryAfter(result.retryAfter, at) : undefined,
  );
  if (delay === undefined) return { kind: 'done', status: 'failed', attempt };
  const nextAttemptAt = new Date(deps.clock.now().getTime() + delay).toISOString();
  return { kind: 'retry', attempt: { ...attempt, nextAttemptAt }, nextAttemptAt };
};

/** After a failure: disabled once every attempt has failed for 3 days. */
const noteFailure = async (
  deps: DispatcherDeps,
  subscription: Subscription,
  at: Date,
  cache: SubscriptionCache,
) => {
  const since = await deps.subscriptions.markFailing(subscription.tenant, subscription.id, at.toISOString());
  // The run's copy learns it too: a success later in the run must clear it.
  if (since) cache.set(subscription.id, Promise.resolve({ ...subscription, failingSince: since }));
  if (subscription.active && since && at.getTime() - Date.parse(since) >= DISABLE_AFTER_FAILING_MS) {
    cache.delete(subscription.id);
    await deps.subscriptions.disable(
      subscription.tenant,
      subscription.id,
      `Every delivery attempt failed for 3 days (since ${since}): fix the endpoint, then set active to true.`,
      at.toISOString(),
    );
  }
};

/** One due delivery: taken, checked, sent, recorded. */
/**
 * A run's subscriptions, each read once (a run lasts at most its budget): forgotten when the run
 * disables one, so its later deliveries see it disabled.
 */
type SubscriptionCache = Map<string, Promise<Subscription | undefined>>;

const deliverOne = async (
  deps: DispatcherDeps,
  due: ClaimedDelivery['delivery'],
  cache: SubscriptionCache,
): Promise<Handled> => {
  const { deliveries, subscriptions } = deps;
  const takenAt = deps.clock.now();
  const claimed = await deliveries.claim(
    due,
    takenAt.toISOString(),
    new Date(takenAt.getTime() + deps.settings.leaseMs).toISOString(),
  );
  if (!claimed) return undefined;
  const d = claimed.delivery;
  const cached = cache.get(d.subscriptionId) ?? subscriptions.get(d.tenant, d.subscriptionId);
  cache.set(d.subscriptionId, cached);
  const subscription = await cached;
  // A ping is how a disabled subscription's endpoint is tried before it is turned on again.
  if (!subscription || (!subscription.active && d.eventType !== 'webhook.ping')) {
    const error = subscription
      ? `Not sent: the subscription is inactive${subscription.disabledReason ? ` (${subscription.disabledReason})` : ''}.`
      : 'Not sent: the subscription was deleted.';
    await deliveries.finishAttempt(claimed, { kind: 'done', status: 'failed', error }, takenAt.toISOString());
    return 'skipped';
  }
  const head = await deliveries.streamHead(d);
  if (head !== undefined && head !== d.id) {
    await deliveries.deferBehind(claimed, head, deps.clock.now().toISOString());
    return 'skipped';
  }
  const at = deps.clock.now();
  const secrets = await openSecrets(deps.cipher, subscription, signingSecrets(subscription, at));
  const result = await deps.sender.send({
    url: subscription.url,
    headers: webhookHeaders(deps.signer, secrets, d.messageId, at, d.body),
    body: d.body,
  });
  const outcome = outcomeOf(deps, claimed, result, at);
  if (!(await deliveries.finishAttempt(claimed, outcome, deps.clock.now().toISOString()))) return 'attempted';
  if (outcome.kind === 'done' && outcome.status === 'succeeded') {
    if (subscription.failingSince) {
      const { failingSince: _, ...succeeding } = subscription;
      cache.set(subscription.id, Promise.resolve(succeeding));
      await subscriptions.markSucceeding(subscription.tenant, subscription.id);
    }
    return 'succeeded';
  }
  if (result.statusCode !== 410) await noteFailure(deps, subscription, at, cache);
  else {
    cache.delete(subscription.id);
    await subscriptions.disable(
      subscription.tenant,
      subscription.id,
      'The endpoint answered 410 Gone: set active to true to receive events again.',
      at.toISOString(),
    );
  }
  return outcome.kind === 'done' ? 'failed' : 'attempted';
};

/** Runs `f` over `items`, `width` at a time. */
const pool = async <T>(items: T[], width: number, f: (item: T) => Promise<void>) => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await f(items[next++] as T);
    }),
  );
};

/** Attempts every due delivery (within the run's budget); answers what it did and what is next. */
export const dispatchDue = async (deps: DispatcherDeps): Promise<DispatchReport> => {
  const started = deps.clock.now().getTime();
  const report: DispatchReport = { attempted: 0, succeeded: 0, failed: 0, interrupted: 0 };
  const cache: SubscriptionCache = new Map();
  for (;;) {
    const now = deps.clock.now();
    if (now.getTime() - started >= deps.settings.budgetMs) break;
    const due = await deps.deliveries.listDue(now.toISOString(), deps.settings.batchSize);
    let progressed = false;
    await pool(due, deps.settings.concurrency, async (delivery) => {
      const handled = await deliverOne(deps, delivery, cache).catch(() => {
        report.interrupted++;
        return undefined;
      });
      if (handled === undefined) return;
      progressed = true;
      if (handled !== 'skipped') report.attempted++;
      if (handled === 'succeeded') report.succeeded++;
      if (handled === 'failed') report.failed++;
    });
    // Nothing due, or all of it taken by another dispatcher first.
    if (!progressed) break;
  }
  const nextDueAt = await deps.deliveries.nextDueAt();
  return nextDueAt === undefined ? report : { ...report, nextDueAt };
};

/**
 * At a start of `npm start`: no attempt of an earlier run can be in flight any more (they lived
 * in its memory), so every delivery it had taken is due at once, then everything due goes out.
 */
export const resumeDeliveries = async (deps: DispatcherDeps): Promise<DispatchReport> => {
  await deps.deliveries.releaseLeases(deps.clock.now().toISOString());
  return dispatchDue(deps);
};
