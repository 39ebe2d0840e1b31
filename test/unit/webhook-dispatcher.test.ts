/**
 * The dispatcher's rules on an injected clock, with the repositories in memory (the DynamoDB
 * ones are exercised end to end in test/integration/webhooks.test.ts): a delivery gives up after
 * its seventh attempt, Retry-After pushes a retry later, a subscription failing for 3 days is
 * disabled, a success clears that, and an inactive subscription's delivery is not sent.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { type DispatcherDeps, dispatchDue } from '../../functions/core/webhooks/dispatcher.ts';
import type { Delivery, Subscription } from '../../functions/core/webhooks/model.ts';
import type { AttemptResult, DeliveryRepository } from '../../functions/core/webhooks/ports.ts';
import { RETRY_STEPS_MS } from '../../functions/core/webhooks/retry-schedule.ts';

let now: Date;
let subscription: Subscription;
let delivery: Delivery;
let lease: string | undefined;
let answers: AttemptResult[];
let sent: number;

const iso = () => now.toISOString();

const deliveries: DeliveryRepository = {
  add: async () => true,
  get: async () => delivery,
  list: async () => ({ results: [delivery] }),
  listDue: async (at) =>
    delivery.status === 'pending' && !lease && (delivery.nextAttemptAt ?? '') <= at ? [delivery] : [],
  nextDueAt: async () => (delivery.status === 'pending' ? delivery.nextAttemptAt : undefined),
  claim: async () => {
    lease = 'lease-1';
    return { delivery, leaseId: lease };
  },
  streamHead: async () => delivery.id,
  deferBehind: async () => undefined,
  finishAttempt: async (_, outcome) => {
    lease = undefined;
    const attempts = outcome.attempt ? [...delivery.attempts, outcome.attempt] : delivery.attempts;
    const seriesAttempts = delivery.seriesAttempts + (outcome.attempt ? 1 : 0);
    if (outcome.kind === 'retry')
      delivery = { ...delivery, attempts, seriesAttempts, nextAttemptAt: outcome.nextAttemptAt };
    else {
      const { nextAttemptAt: _, ...rest } = delivery;
      delivery = {
        ...rest,
        attempts,
        seriesAttempts,
        status: outcome.status,
        ...(outcome.error ? { error: outcome.error } : {}),
      };
    }
    return true;
  },
  requeue: async () => delivery,
  releaseLeases: async () => 0,
};

const deps = (random = 1): DispatcherDeps => ({
  subscriptions: {
    get: async () => subscription,
    markFailing: async (_, __, at) => {
      subscription = { ...subscription, failingSince: subscription.failingSince ?? at };
      return subscription.failingSince;
    },
    markSucceeding: async () => {
      const { failingSince: _, ...rest } = subscription;
      subscription = rest;
    },
    disable: async (_, __, reason, at) => {
      subscription = { ...subscription, active: false, disabledReason: reason, disabledAt: at };
    },
  },
  deliveries,
  cipher: { decrypt: async (values) => values },
  signer: { sign: () => 'v1,signature' },
  sender: {
    send: async () => {
      sent++;
      return answers.shift() ?? { statusCode: 500, durationMs: 3 };
    },
  },
  clock: { now: () => now },
  settings: {
    retry: { scale: 1, random: () => random },
    leaseMs: 60_000,
    batchSize: 10,
    concurrency: 2,
    budgetMs: 60_000,
  },
});

/** Runs the dispatcher, then moves the clock to the next due time; `times` times or until nothing is due. */
const runUntilDone = async (d: DispatcherDeps, times = 20) => {
  for (let i = 0; i < times; i++) {
    const report = await dispatchDue(d);
    if (!report.nextDueAt) return;
    now = new Date(report.nextDueAt);
  }
};

beforeEach(() => {
  now = new Date('2026-12-07T10:00:00.000Z');
  lease = undefined;
  answers = [];
  sent = 0;
  subscription = {
    id: 'sub-1',
    tenant: 't',
    scope: { kind: 'store' },
    url: 'https://hooks.example.com/in',
    events: ['deployment.deployed'],
    active: true,
    secrets: [{ ciphertext: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', createdAt: iso() }],
    version: 1,
    createdAt: iso(),
    lastModifiedAt: iso(),
  };
  delivery = {
    id: 'd-1',
    subscriptionId: 'sub-1',
    tenant: 't',
    messageId: 'msg_1',
    eventType: 'deployment.deployed',
    body: '{}',
    streamKey: 'deployment:x',
    orderKey: '1',
    status: 'pending',
    seriesAttempts: 0,
    attempts: [],
    nextAttemptAt: iso(),
    createdAt: iso(),
    lastModifiedAt: iso(),
  };
});

describe('the webhook dispatcher', () => {
  it('gives a delivery up after its seventh failed attempt, each retry on its step', async () => {
    const started = now.getTime();

    await runUntilDone(deps());

    const times = delivery.attempts.map((a) => Date.parse(a.at) - started);
    expect(delivery.status).toBe('failed');
    expect(sent).toBe(7);
    expect(times.slice(1).map((t, i) => t - (times[i] ?? 0))).toEqual([...RETRY_STEPS_MS]);
    expect(delivery.attempts.at(-1)?.nextAttemptAt).toBeUndefined();
  });

  it('waits as long as a 429 or 503 asks in Retry-After', async () => {
    answers = [{ statusCode: 429, durationMs: 2, retryAfter: '600' }];

    await dispatchDue(deps(0));

    expect(Date.parse(delivery.nextAttemptAt ?? '') - now.getTime()).toBe(600_000);
  });

  it('disables a subscription whose every attempt failed for 3 days, at its next failure', async () => {
    await dispatchDue(deps());
    const since = subscription.failingSince;
    now = new Date(now.getTime() + 3 * 86_400_000 - 60_000);
    delivery = { ...delivery, nextAttemptAt: iso() };
    await dispatchDue(deps());
    const stillActive = subscription.active;
    now = new Date(now.getTime() + 120_000);
    delivery = { ...delivery, nextAttemptAt: iso() };
    await dispatchDue(deps());

    expect(since).toBe('2026-12-07T10:00:00.000Z');
    expect(stillActive).toBe(true);
    expect(subscription).toMatchObject({ active: false, disabledReason: expect.stringContaining('3 days') });
  });

  it('forgets the failures once an attempt succeeds', async () => {
    answers = [
      { statusCode: 500, durationMs: 1 },
      { statusCode: 204, durationMs: 1 },
    ];

    await runUntilDone(deps());

    expect(delivery.status).toBe('succeeded');
    expect(subscription.failingSince).toBeUndefined();
    expect(delivery.attempts.map((a) => a.statusCode)).toEqual([500, 204]);
  });

  it("fails an inactive subscription's delivery without sending it", async () => {
    subscription = { ...subscription, active: false, disabledReason: 'The endpoint answered 410 Gone' };

    await dispatchDue(deps());

    expect(sent).toBe(0);
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: [],
      error: expect.stringContaining('410 Gone'),
    });
  });
});
