/**
 * The fan-out: a domain event becomes one delivery per matching active subscription, written
 * to the due queue, and the dispatcher is asked to run. The same use case runs behind the
 * in-process bus of `npm start` and behind the stack's EventBridge bus on AWS (a queue feeds
 * it there). It sends nothing itself.
 *
 * A deployment event matches its project's subscriptions and its store's; `connector.published`
 * every subscription of the connector's tenant that asked for it. A subscription made after
 * the event does not get it (a replayed event stays in its past).
 */
import type { Deployment } from '../deployments/model.ts';
import type { Clock } from '../shared/clock.ts';
import type { DomainEvent } from '../shared/domain-events.ts';
import { newDelivery } from './deliveries.ts';
import { type DeploymentSnapshot, messagesOf } from './events.ts';
import { DELIVERY_RETENTION_DAYS, type Subscription } from './model.ts';
import type { DeliveryRepository, DispatchTrigger, SubscriptionRepository } from './ports.ts';

export interface FanOutDeps {
  subscriptions: Pick<SubscriptionRepository, 'listAll'>;
  deliveries: Pick<DeliveryRepository, 'add'>;
  deployments: { getById(id: string): Promise<Deployment | undefined> };
  /** The deployment's public view (functions/http/views.ts: secured values masked). */
  viewOf(deployment: Deployment): Record<string, unknown>;
  trigger: DispatchTrigger;
  clock: Clock;
}

const matches = (event: DomainEvent, subscription: Subscription): boolean => {
  if (!subscription.active || subscription.createdAt > event.at) return false;
  if (event.type === 'ConnectorPublished') return true;
  return subscription.scope.kind === 'store' || subscription.scope.projectKey === event.projectKey;
};

const snapshotOf = async (deps: FanOutDeps, event: DomainEvent): Promise<DeploymentSnapshot> => {
  if (event.type === 'ConnectorPublished') return undefined;
  const deployment = await deps.deployments.getById(event.deploymentId);
  if (!deployment || deployment.tenant !== event.tenant) return undefined;
  return { view: deps.viewOf(deployment), version: deployment.version };
};

/** Fans one domain event out; answers how many deliveries it added (none for a repeat). */
const fanOutOne = async (deps: FanOutDeps, event: DomainEvent): Promise<number> => {
  const subscriptions = (await deps.subscriptions.listAll(event.tenant)).filter((s) => matches(event, s));
  if (subscriptions.length === 0) return 0;
  const snapshot = await snapshotOf(deps, event);
  const messages = messagesOf(event, snapshot);
  const now = deps.clock.now().toISOString();
  let added = 0;
  // In order: a stream's messages are written earliest first.
  for (const subscription of subscriptions)
    for (const message of messages)
      if ((subscription.events as string[]).includes(message.type))
        if (await deps.deliveries.add(newDelivery(message, subscription, now), DELIVERY_RETENTION_DAYS))
          added++;
  return added;
};

/**
 * Fans out a batch of domain events, earliest first, then asks the dispatcher to run once.
 * Answers how many deliveries were added and which events (by index) failed: those are given
 * back to their queue to be tried again, the others are done.
 */
export const fanOut = async (
  deps: FanOutDeps,
  events: readonly DomainEvent[],
): Promise<{ added: number; failed: { index: number; error: string }[] }> => {
  const order = events
    .map((event, index) => ({ event, index }))
    .sort((a, b) => a.event.at.localeCompare(b.event.at));
  let added = 0;
  const failed: { index: number; error: string }[] = [];
  for (const { event, index } of order) {
    try {
      added += await fanOutOne(deps, event);
    } catch (error) {
      failed.push({ index, error: error instanceof Error ? error.name : String(error) });
    }
  }
  if (added > 0) await deps.trigger.dispatchSoon();
  return { added, failed };
};
