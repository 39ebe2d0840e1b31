import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  type Delivery,
  type DeliveryAttempt,
  type DeliveryStatus,
  MAX_ATTEMPTS_KEPT,
  type WebhookEventType,
} from '../../core/webhooks/model.ts';
import type { DeliveryRepository } from '../../core/webhooks/ports.ts';
import { documentClient } from './client.ts';
import { unlessConditionFails, unlessFirstConditionFails } from './errors.ts';
import { keys } from './keys.ts';
import { pagedQuery, queryAll } from './pager.ts';
import { TABLE_SCHEMA } from './schema.ts';

type Item = Record<string, unknown>;

/** Past every due time (`<ISO time>#<id>` sorts below it for any id). */
const upTo = (now: string) => `${now}#~`;

const fromItem = (item: Item): Delivery => ({
  id: String(item.id),
  subscriptionId: String(item.subscriptionId),
  tenant: String(item.tenant),
  messageId: String(item.messageId),
  eventType: String(item.eventType) as WebhookEventType,
  body: String(item.body),
  streamKey: String(item.streamKey),
  orderKey: String(item.orderKey),
  status: String(item.status) as DeliveryStatus,
  seriesAttempts: Number(item.seriesAttempts ?? 0),
  attempts: (item.attempts as DeliveryAttempt[]) ?? [],
  ...(typeof item.nextAttemptAt === 'string' ? { nextAttemptAt: item.nextAttemptAt } : {}),
  ...(typeof item.error === 'string' ? { error: item.error } : {}),
  createdAt: String(item.createdAt),
  lastModifiedAt: String(item.lastModifiedAt),
});

/**
 * Deliveries in the single table: each in its subscription's partition (`WEBHOOK#<id>`,
 * `DELIVERY#<id>`, ids time-ordered), with a stream entry per pending delivery
 * (`STREAM#<stream>#<order>#<id>`: the stream's first entry is the one that may go out), and
 * every pending delivery in the due queue, a sparse GSI1 partition sorted by due time. A
 * delivery and its stream entry change together, in one transaction, so a crash between two
 * writes cannot strand one: what is pending is always queued.
 */
export const dynamoDeliveryRepository = (tableName: () => string): DeliveryRepository => {
  const keyOf = (d: Pick<Delivery, 'subscriptionId' | 'id'>) => keys.webhookDelivery(d.subscriptionId, d.id);
  const streamEntryOf = (d: Delivery) =>
    keys.webhookStreamEntry(d.subscriptionId, d.streamKey, d.orderKey, d.id);
  const streamEntryPut = (d: Delivery, ttl: unknown) => ({
    Put: {
      TableName: tableName(),
      Item: { ...streamEntryOf(d), type: 'WebhookStreamEntry', deliveryId: d.id, ttl },
    },
  });

  const getItem = async (subscriptionId: string, id: string) =>
    (
      await documentClient.send(
        new GetCommand({ TableName: tableName(), Key: keyOf({ subscriptionId, id }), ConsistentRead: true }),
      )
    ).Item;

  const getDelivery = async (subscriptionId: string, id: string) => {
    const item = await getItem(subscriptionId, id);
    return item ? fromItem(item) : undefined;
  };

  const streamHeadOf = async (d: Delivery): Promise<string | undefined> => {
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :p AND begins_with(SK, :s)',
        ExpressionAttributeValues: {
          ':p': keys.webhookPartition(d.subscriptionId),
          ':s': keys.webhookStreamPrefix(d.streamKey),
        },
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const head = out.Items?.[0]?.deliveryId;
    return typeof head === 'string' ? head : undefined;
  };

  /** Makes a queued, unleased delivery due at `dueAt` (best effort: it is due at its own time anyway). */
  /**
   * Makes a queued delivery nobody holds due at `dueAt`, unless it is due sooner already or its
   * own next attempt is later (a retry keeps its schedule). Best effort: it falls due anyway.
   */
  const makeDue = (subscriptionId: string, id: string, dueAt: string) =>
    unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keyOf({ subscriptionId, id }),
          UpdateExpression: 'SET GSI1SK = :due',
          ConditionExpression:
            'attribute_exists(GSI1PK) AND attribute_not_exists(leaseId) AND GSI1SK > :due AND nextAttemptAt <= :at',
          ExpressionAttributeValues: { ':due': keys.webhookDue(dueAt, id).GSI1SK, ':at': dueAt },
        }),
      ),
    );

  /** The stream's next delivery may go out now (a retry of its own stays on its schedule). */
  const wakeNext = async (done: Delivery, now: string) => {
    const head = await streamHeadOf(done);
    if (head !== undefined) await makeDue(done.subscriptionId, head, now);
  };

  return {
    async add(delivery, retentionDays) {
      const ttl = Math.floor(Date.parse(delivery.createdAt) / 1000) + retentionDays * 86_400;
      return unlessFirstConditionFails(() =>
        documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName(),
                  Item: {
                    ...keyOf(delivery),
                    ...keys.webhookDue(delivery.nextAttemptAt ?? delivery.createdAt, delivery.id),
                    type: 'WebhookDelivery',
                    ...delivery,
                    [TABLE_SCHEMA.timeToLiveAttribute]: ttl,
                  },
                  ConditionExpression: 'attribute_not_exists(PK)',
                },
              },
              streamEntryPut(delivery, ttl),
            ],
          }),
        ),
      );
    },

    get: getDelivery,

    list(subscriptionId, page) {
      const partition = keys.webhookPartition(subscriptionId);
      return pagedQuery(
        {
          input: {
            TableName: tableName(),
            KeyConditionExpression: 'PK = :p AND begins_with(SK, :s)',
            ExpressionAttributeValues: { ':p': partition, ':s': keys.webhookDeliveryPrefix },
            ScanIndexForward: false,
          },
          partitionAttr: 'PK',
          partitionValue: partition,
        },
        page,
        fromItem,
      );
    },

    async listDue(now, limit) {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :p AND GSI1SK <= :upto',
          ExpressionAttributeValues: { ':p': keys.webhookDuePartition, ':upto': upTo(now) },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map(fromItem);
    },

    async nextDueAt() {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName(),
          IndexName: 'GSI1',
          KeyConditionExpression: 'GSI1PK = :p',
          ExpressionAttributeValues: { ':p': keys.webhookDuePartition },
          Limit: 1,
        }),
      );
      const sortKey = out.Items?.[0]?.GSI1SK;
      return typeof sortKey === 'string' ? sortKey.split('#')[0] : undefined;
    },

    async claim(delivery, now, leaseUntil) {
      const leaseId = randomUUID();
      const out = await unlessConditionFails(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keyOf(delivery),
            UpdateExpression: 'SET GSI1SK = :lease, leaseUntil = :until, leaseId = :me',
            ConditionExpression: '#status = :pending AND GSI1PK = :queue AND GSI1SK <= :upto',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':lease': keys.webhookDue(leaseUntil, delivery.id).GSI1SK,
              ':until': leaseUntil,
              ':me': leaseId,
              ':pending': 'pending',
              ':queue': keys.webhookDuePartition,
              ':upto': upTo(now),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return out?.Attributes ? { delivery: fromItem(out.Attributes), leaseId } : undefined;
    },

    streamHead: streamHeadOf,

    async deferBehind(claimed, headId, now) {
      const { subscriptionId, id } = claimed.delivery;
      const pending = (item: Record<string, unknown> | undefined) => item?.status === 'pending';
      const head = await getItem(subscriptionId, headId);
      // Due when the first is (its next attempt, or its lease's end), and never again at once
      // while the first is pending: another run would take it back and forth meanwhile.
      const headDue = typeof head?.GSI1SK === 'string' ? (head.GSI1SK.split('#')[0] ?? now) : now;
      const soonest = new Date(Date.parse(now) + 1_000).toISOString();
      const behind = !pending(head) ? now : headDue > soonest ? headDue : soonest;
      // Never before its own next attempt (a retry keeps its schedule).
      const own = claimed.delivery.nextAttemptAt ?? now;
      const due = own > behind ? own : behind;
      await unlessConditionFails(() =>
        documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: keyOf(claimed.delivery),
            UpdateExpression: 'SET GSI1SK = :due REMOVE leaseId, leaseUntil',
            ConditionExpression: 'leaseId = :me',
            ExpressionAttributeValues: { ':due': keys.webhookDue(due, id).GSI1SK, ':me': claimed.leaseId },
          }),
        ),
      );
      // The first may have finished while this one held its lease, when its wake-up could not
      // reach this one: looked at again now the lease is gone, so one of the two always wakes it.
      if (pending(head) && !pending(await getItem(subscriptionId, headId)))
        await makeDue(subscriptionId, id, now);
    },

    async finishAttempt(claimed, outcome, now) {
      const d = claimed.delivery;
      const attempts = outcome.attempt
        ? [...d.attempts, outcome.attempt].slice(-MAX_ATTEMPTS_KEPT)
        : d.attempts;
      const series = d.seriesAttempts + (outcome.attempt ? 1 : 0);
      const common = { ':attempts': attempts, ':series': series, ':now': now, ':me': claimed.leaseId };
      if (outcome.kind === 'retry') {
        const done = await unlessConditionFails(() =>
          documentClient.send(
            new UpdateCommand({
              TableName: tableName(),
              Key: keyOf(d),
              UpdateExpression:
                'SET attempts = :attempts, seriesAttempts = :series, nextAttemptAt = :next, GSI1SK = :due, lastModifiedAt = :now REMOVE leaseId, leaseUntil',
              ConditionExpression: 'leaseId = :me',
              ExpressionAttributeValues: {
                ...common,
                ':next': outcome.nextAttemptAt,
                ':due': keys.webhookDue(outcome.nextAttemptAt, d.id).GSI1SK,
              },
            }),
          ),
        );
        return done !== undefined;
      }
      const settled = await unlessFirstConditionFails(() =>
        documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName(),
                  Key: keyOf(d),
                  UpdateExpression: `SET #status = :status, attempts = :attempts, seriesAttempts = :series, lastModifiedAt = :now${outcome.error ? ', #error = :error' : ''} REMOVE GSI1PK, GSI1SK, nextAttemptAt, leaseId, leaseUntil${outcome.error ? '' : ', #error'}`,
                  ConditionExpression: 'leaseId = :me',
                  ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
                  ExpressionAttributeValues: {
                    ...common,
                    ':status': outcome.status,
                    ...(outcome.error ? { ':error': outcome.error } : {}),
                  },
                },
              },
              { Delete: { TableName: tableName(), Key: streamEntryOf(d) } },
            ],
          }),
        ),
      );
      if (settled) await wakeNext(d, now);
      return settled;
    },

    async requeue(delivery, now) {
      const due = keys.webhookDue(now, delivery.id);
      if (delivery.status === 'pending') {
        // Due now, unless an attempt is out (its outcome decides what comes next).
        const out = await unlessConditionFails(() =>
          documentClient.send(
            new UpdateCommand({
              TableName: tableName(),
              Key: keyOf(delivery),
              UpdateExpression:
                'SET nextAttemptAt = :now, seriesAttempts = :zero, GSI1SK = :due, lastModifiedAt = :now',
              ConditionExpression:
                '#status = :pending AND attribute_exists(GSI1PK) AND attribute_not_exists(leaseId)',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':now': now,
                ':zero': 0,
                ':due': due.GSI1SK,
                ':pending': 'pending',
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return out?.Attributes ? fromItem(out.Attributes) : delivery;
      }
      const item = await getItem(delivery.subscriptionId, delivery.id);
      // Another retry made it pending first: that one stands.
      await unlessFirstConditionFails(() =>
        documentClient.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Update: {
                  TableName: tableName(),
                  Key: keyOf(delivery),
                  UpdateExpression:
                    'SET #status = :pending, nextAttemptAt = :now, seriesAttempts = :zero, GSI1PK = :queue, GSI1SK = :due, lastModifiedAt = :now REMOVE #error',
                  ConditionExpression: '#status = :was',
                  ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
                  ExpressionAttributeValues: {
                    ':pending': 'pending',
                    ':was': delivery.status,
                    ':now': now,
                    ':zero': 0,
                    ':queue': due.GSI1PK,
                    ':due': due.GSI1SK,
                  },
                },
              },
              streamEntryPut(delivery, item?.[TABLE_SCHEMA.timeToLiveAttribute]),
            ],
          }),
        ),
      );
      return (await getDelivery(delivery.subscriptionId, delivery.id)) ?? delivery;
    },

    async releaseLeases(now) {
      const leased = await queryAll({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :p',
        FilterExpression: 'attribute_exists(leaseId)',
        ExpressionAttributeValues: { ':p': keys.webhookDuePartition },
      });
      let released = 0;
      for (const item of leased) {
        const done = await unlessConditionFails(() =>
          documentClient.send(
            new UpdateCommand({
              TableName: tableName(),
              Key: keyOf({ subscriptionId: String(item.subscriptionId), id: String(item.id) }),
              UpdateExpression: 'SET GSI1SK = :due REMOVE leaseId, leaseUntil',
              ConditionExpression: 'leaseId = :was',
              ExpressionAttributeValues: {
                ':due': keys.webhookDue(now, String(item.id)).GSI1SK,
                ':was': item.leaseId,
              },
            }),
          ),
        );
        if (done) released++;
      }
      return released;
    },
  };
};
