/**
 * The webhook fan-out's composition root: the subscriptions, the deliveries it adds, the
 * deployments it takes a public view of, and the dispatcher's trigger. Runs unchanged on
 * Lambda (fed by a queue) and in `npm start` (fed by the in-process bus).
 */
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { dynamoDeliveryRepository } from '../adapters/dynamodb/webhooks-deliveries.ts';
import { dynamoSubscriptionRepository } from '../adapters/dynamodb/webhooks-subscriptions.ts';
import type { FanOutDeps } from '../core/webhooks/fan-out.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { dispatchTrigger } from './webhooks-trigger.ts';

/** The fan-out's ports but the view, which the handler gives (functions/http/views.ts). */
export const fanOutDeps: Omit<FanOutDeps, 'viewOf'> = {
  subscriptions: dynamoSubscriptionRepository(tableNameFromConfig),
  deliveries: dynamoDeliveryRepository(tableNameFromConfig),
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  trigger: dispatchTrigger,
  clock: systemClock,
};
