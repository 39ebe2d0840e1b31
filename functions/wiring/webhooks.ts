/**
 * The webhooks API's composition root (both dialects): subscriptions and deliveries in the
 * table, the projects (a Connect subscription belongs to one), the sealing half of the secret
 * cipher (a signing secret is sealed when made and never opened here), and the dispatcher's
 * trigger (a ping or a retry goes out at once).
 */
import { dynamoDeliveryRepository } from '../adapters/dynamodb/webhooks-deliveries.ts';
import { dynamoSubscriptionRepository } from '../adapters/dynamodb/webhooks-subscriptions.ts';
import { standardWebhooksSigner } from '../adapters/webhooks/signer.ts';
import { config } from '../config.ts';
import type { WebhookDeps } from '../core/webhooks/subscriptions.ts';
import { sealingCipher } from './cipher.ts';
import { projectRepository } from './projects.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { dispatchTrigger } from './webhooks-trigger.ts';

export const webhookDeps: WebhookDeps = {
  subscriptions: dynamoSubscriptionRepository(tableNameFromConfig),
  deliveries: dynamoDeliveryRepository(tableNameFromConfig),
  projects: projectRepository,
  cipher: sealingCipher,
  signer: standardWebhooksSigner,
  trigger: dispatchTrigger,
  clock: systemClock,
  get settings() {
    return { allowLoopback: config.webhooksAllowLoopback };
  },
};
