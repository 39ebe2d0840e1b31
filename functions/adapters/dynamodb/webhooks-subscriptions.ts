import { GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ConcurrentModification, ResourceNotFound } from '../../core/shared/errors.ts';
import { WebhookLimitExceeded } from '../../core/webhooks/errors.ts';
import type {
  StoredSecret,
  SubscribableEventType,
  Subscription,
  SubscriptionScope,
} from '../../core/webhooks/model.ts';
import type { SubscriptionRepository } from '../../core/webhooks/ports.ts';
import { documentClient } from './client.ts';
import {
  cancellationReasons,
  itemOfConditionFailure,
  unlessConditionFails,
  unlessFirstConditionFails,
} from './errors.ts';
import { keys } from './keys.ts';
import { queryAll } from './pager.ts';

type Item = Record<string, unknown>;

const toItem = (s: Subscription): Item => ({
  ...keys.webhookSubscription(s.tenant, s.id),
  type: 'WebhookSubscription',
  id: s.id,
  tenant: s.tenant,
  scopeKind: s.scope.kind,
  ...(s.scope.kind === 'project' ? { projectKey: s.scope.projectKey } : {}),
  url: s.url,
  events: s.events,
  ...(s.description === undefined ? {} : { description: s.description }),
  active: s.active,
  ...(s.disabledReason === undefined ? {} : { disabledReason: s.disabledReason, disabledAt: s.disabledAt }),
  ...(s.failingSince === undefined ? {} : { failingSince: s.failingSince }),
  secrets: s.secrets,
  version: s.version,
  createdAt: s.createdAt,
  lastModifiedAt: s.lastModifiedAt,
});

const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

const fromItem = (item: Item): Subscription => {
  const scope: SubscriptionScope =
    item.scopeKind === 'store' ? { kind: 'store' } : { kind: 'project', projectKey: String(item.projectKey) };
  const description = text(item.description);
  const disabledReason = text(item.disabledReason);
  const failingSince = text(item.failingSince);
  return {
    id: String(item.id),
    tenant: String(item.tenant),
    scope,
    url: String(item.url),
    events: (item.events as SubscribableEventType[]) ?? [],
    ...(description === undefined ? {} : { description }),
    active: item.active === true,
    ...(disabledReason === undefined ? {} : { disabledReason, disabledAt: String(item.disabledAt) }),
    ...(failingSince === undefined ? {} : { failingSince }),
    secrets: (item.secrets as StoredSecret[]) ?? [],
    version: Number(item.version),
    createdAt: String(item.createdAt),
    lastModifiedAt: String(item.lastModifiedAt),
  };
};

/**
 * Webhook subscriptions in the single table: a tenant's in a partition of their own
 * (`WEBHOOKS#<tenant>`), beside an item whose string set of ids is the quota's count (it
 * changes in the same transaction as the subscription, so it never drifts). Writes that
 * enforce a rule are conditional: a user's change on `version`, Slipway's on what it changes.
 */
export const dynamoSubscriptionRepository = (tableName: () => string): SubscriptionRepository => ({
  async create(subscription, limit) {
    try {
      await documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: tableName(),
                Item: toItem(subscription),
                ConditionExpression: 'attribute_not_exists(PK)',
              },
            },
            {
              Update: {
                TableName: tableName(),
                Key: keys.webhookCount(subscription.tenant),
                UpdateExpression: 'SET entity = :entity ADD ids :id',
                ConditionExpression: 'attribute_not_exists(ids) OR size(ids) < :limit',
                ExpressionAttributeValues: {
                  ':entity': 'WebhookSubscriptionCount',
                  ':id': new Set([subscription.id]),
                  ':limit': limit,
                },
              },
            },
          ],
        }),
      );
    } catch (error) {
      if (cancellationReasons(error)?.[1]?.code === 'ConditionalCheckFailed')
        throw new WebhookLimitExceeded();
      throw error;
    }
  },

  async get(tenant, id) {
    const out = await documentClient.send(
      new GetCommand({
        TableName: tableName(),
        Key: keys.webhookSubscription(tenant, id),
        ConsistentRead: true,
      }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  },

  async listAll(tenant) {
    const items = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :p AND begins_with(SK, :s)',
      ExpressionAttributeValues: {
        ':p': keys.webhooksPartition(tenant),
        ':s': keys.webhookSubscriptionPrefix,
      },
    });
    return items
      .map(fromItem)
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  },

  async update(subscription, expectedVersion) {
    try {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: toItem(subscription),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
    } catch (error) {
      const old = itemOfConditionFailure(error);
      if (old) throw new ConcurrentModification(expectedVersion, Number(old.version));
      if ((error as Error).name === 'ConditionalCheckFailedException')
        throw new ResourceNotFound(`The webhook subscription with id '${subscription.id}' was not found.`);
      throw error;
    }
  },

  async delete(subscription) {
    return unlessFirstConditionFails(() =>
      documentClient.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Delete: {
                TableName: tableName(),
                Key: keys.webhookSubscription(subscription.tenant, subscription.id),
                ConditionExpression: 'attribute_exists(PK)',
              },
            },
            {
              Update: {
                TableName: tableName(),
                Key: keys.webhookCount(subscription.tenant),
                UpdateExpression: 'DELETE ids :id',
                ExpressionAttributeValues: { ':id': new Set([subscription.id]) },
              },
            },
          ],
        }),
      ),
    );
  },

  async markFailing(tenant, id, at) {
    const out = await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhookSubscription(tenant, id),
          UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :at)',
          ConditionExpression: 'attribute_exists(PK)',
          ExpressionAttributeValues: { ':at': at },
          ReturnValues: 'UPDATED_NEW',
        }),
      ),
    );
    return text(out?.Attributes?.failingSince);
  },

  async markSucceeding(tenant, id) {
    await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhookSubscription(tenant, id),
          UpdateExpression: 'REMOVE failingSince',
          ConditionExpression: 'attribute_exists(PK)',
        }),
      ),
    );
  },

  async disable(tenant, id, reason, at) {
    await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.webhookSubscription(tenant, id),
          UpdateExpression:
            'SET active = :off, disabledReason = :reason, disabledAt = :at, lastModifiedAt = :at ADD version :one',
          ConditionExpression: 'active = :on',
          ExpressionAttributeValues: { ':off': false, ':on': true, ':reason': reason, ':at': at, ':one': 1 },
        }),
      ),
    );
  },
});
