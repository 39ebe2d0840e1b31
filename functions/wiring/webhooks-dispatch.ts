/**
 * The webhook dispatcher's composition root: subscriptions and deliveries, the opening half of
 * the secret cipher (signing secrets are opened to sign, never sealed here), the Standard
 * Webhooks signer, and the sender with its address guard. Runs unchanged on Lambda (a
 * schedule, and an invocation after each fan-out) and in `npm start` (an interval, a signal).
 */
import { dynamoDeliveryRepository } from '../adapters/dynamodb/webhooks-deliveries.ts';
import { dynamoSubscriptionRepository } from '../adapters/dynamodb/webhooks-subscriptions.ts';
import { nodeWebhookSender } from '../adapters/webhooks/sender.ts';
import { standardWebhooksSigner } from '../adapters/webhooks/signer.ts';
import { config } from '../config.ts';
import type { DispatcherDeps } from '../core/webhooks/dispatcher.ts';
import { openingCipher } from './cipher.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const dispatcherDeps: DispatcherDeps = {
  subscriptions: dynamoSubscriptionRepository(tableNameFromConfig),
  deliveries: dynamoDeliveryRepository(tableNameFromConfig),
  cipher: openingCipher,
  signer: standardWebhooksSigner,
  sender: nodeWebhookSender({ allowLoopback: () => config.webhooksAllowLoopback }),
  clock: systemClock,
  get settings() {
    return {
      retry: { scale: 1 / config.webhooksRetrySpeedup, random: Math.random },
      // An attempt lasts 10 s at most: a lease of a minute is never outlived by its attempt.
      leaseMs: 60_000,
      batchSize: 25,
      concurrency: 10,
      // The function's time limit is 2 minutes; a run takes nothing new after 90 s.
      budgetMs: 90_000,
    };
  },
};
