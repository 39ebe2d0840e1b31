import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Connector, ConnectorStaged } from '../../core/connectors/model.ts';
import type { ConnectorRepository } from '../../core/connectors/ports.ts';
import { ConcurrentModification, DuplicateField, ResourceNotFound } from '../../core/shared/errors.ts';
import { documentClient } from './client.ts';
import { cancellationReasons, isConditionFailure, itemOfConditionFailure } from './errors.ts';
import { keys } from './keys.ts';
import { queryAll } from './pager.ts';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

const STRIPPED = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type']);
const strip = <T>(item: Item): T =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STRIPPED.has(k))) as T;

const draftItem = (d: ConnectorStaged) => ({
  ...keys.connectorDraft(d.tenant, d.id),
  type: 'ConnectorStaged',
  ...d,
});
const versionItem = (c: Connector) => ({
  ...keys.connectorVersion(c.id, c.version),
  type: 'Connector',
  ...c,
});
const headItem = (c: Connector) => ({
  ...keys.connectorHead(c.tenant, c.id),
  ...(c.private ? {} : keys.publicConnector(c.id)),
  type: 'ConnectorHead',
  ...c,
});

/** A draft write conditional on its stored version; ALL_OLD says which rule failed. */
const versionedPut = (tableName: string, draft: ConnectorStaged, expectedVersion: number) => ({
  TableName: tableName,
  Item: draftItem(draft),
  ConditionExpression: 'version = :expected',
  ExpressionAttributeValues: { ':expected': expectedVersion },
  ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
});

/** Turns a failed version condition into the error a client can act on. */
const versionConflict = (expectedVersion: number, current: Item | undefined, id: string) =>
  current
    ? new ConcurrentModification(expectedVersion, Number(current.version))
    : new ResourceNotFound(`The ConnectorStaged with id '${id}' was not found.`);

const transact = async (
  items: TransactItem[],
  onCancelled: (reasons: ReturnType<typeof cancellationReasons> & object) => Error | undefined,
) => {
  try {
    await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
  } catch (error) {
    const reasons = cancellationReasons(error);
    const mapped = reasons ? onCancelled(reasons) : undefined;
    throw mapped ?? error;
  }
};

/**
 * Drafts live in their tenant's partition; connector keys are reserved server-wide in an item
 * of their own, written in the same transaction; published versions live in the connector's
 * own partition, with a copy of the newest (the head) in the tenant's partition for listings
 * and, once certified, in GSI1's public partition for every tenant's search.
 */
export const dynamoConnectorRepository = (tableName: () => string): ConnectorRepository => ({
  async createDraft(draft) {
    const put = {
      TableName: tableName(),
      Item: draftItem(draft),
      ConditionExpression: 'attribute_not_exists(PK)',
    };
    if (draft.key === undefined) {
      await documentClient.send(new PutCommand(put));
      return;
    }
    const key = draft.key;
    await transact(
      [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.connectorKey(key),
              type: 'ConnectorKey',
              tenant: draft.tenant,
              connectorId: draft.id,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        { Put: put },
      ],
      (reasons) =>
        reasons[0]?.code === 'ConditionalCheckFailed' ? new DuplicateField('key', key) : undefined,
    );
  },

  async getDraft(tenant, id) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.connectorDraft(tenant, id), ConsistentRead: true }),
    );
    return out.Item ? strip<ConnectorStaged>(out.Item) : undefined;
  },

  async resolveKey(key) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.connectorKey(key), ConsistentRead: true }),
    );
    return out.Item ? { tenant: String(out.Item.tenant), id: String(out.Item.connectorId) } : undefined;
  },

  async listDrafts(tenant) {
    const items = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: {
        ':pk': keys.tenantPartition(tenant),
        ':prefix': keys.connectorDraftPrefix,
      },
      ConsistentRead: true,
    });
    return items.map((i) => strip<ConnectorStaged>(i));
  },

  async putDraft(draft, expectedVersion) {
    try {
      await documentClient.send(new PutCommand(versionedPut(tableName(), draft, expectedVersion)));
    } catch (error) {
      if (isConditionFailure(error))
        throw versionConflict(expectedVersion, itemOfConditionFailure(error), draft.id);
      throw error;
    }
  },

  async publish(draft, expectedVersion, connector) {
    await transact(
      [
        { Put: versionedPut(tableName(), draft, expectedVersion) },
        {
          Put: {
            TableName: tableName(),
            Item: versionItem(connector),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        { Put: { TableName: tableName(), Item: headItem(connector) } },
      ],
      (reasons) =>
        reasons[0]?.code === 'ConditionalCheckFailed'
          ? versionConflict(expectedVersion, reasons[0].item, draft.id)
          : undefined,
    );
  },

  async deleteDraft(draft, expectedVersion) {
    const remove = {
      TableName: tableName(),
      Key: keys.connectorDraft(draft.tenant, draft.id),
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    };
    // A published connector keeps its key; an unpublished draft gives it back.
    if (draft.key === undefined || draft.publishedVersion !== undefined) {
      try {
        await documentClient.send(new DeleteCommand(remove));
      } catch (error) {
        if (isConditionFailure(error))
          throw versionConflict(expectedVersion, itemOfConditionFailure(error), draft.id);
        throw error;
      }
      return;
    }
    await transact(
      [
        { Delete: remove },
        {
          Delete: {
            TableName: tableName(),
            Key: keys.connectorKey(draft.key),
            ConditionExpression: 'connectorId = :id',
            ExpressionAttributeValues: { ':id': draft.id },
          },
        },
      ],
      (reasons) =>
        reasons[0]?.code === 'ConditionalCheckFailed'
          ? versionConflict(expectedVersion, reasons[0].item, draft.id)
          : undefined,
    );
  },

  async getConnector(id, version) {
    if (version !== undefined) {
      const out = await documentClient.send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.connectorVersion(id, version),
          ConsistentRead: true,
        }),
      );
      return out.Item ? strip<Connector>(out.Item) : undefined;
    }
    const out = await documentClient.send(
      new QueryCommand({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.connectorPartition(id),
          ':prefix': keys.connectorVersionPrefix,
        },
        ScanIndexForward: false,
        Limit: 1,
        ConsistentRead: true,
      }),
    );
    const item = out.Items?.[0];
    return item ? strip<Connector>(item) : undefined;
  },

  async listVisibleConnectors(tenant) {
    const [own, certified] = await Promise.all([
      queryAll({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
        ExpressionAttributeValues: {
          ':pk': keys.tenantPartition(tenant),
          ':prefix': keys.connectorHeadPrefix,
        },
        ConsistentRead: true,
      }),
      // GSI reads are eventually consistent: a certified connector reaches other tenants' searches a moment later.
      queryAll({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.publicConnectorsPartition },
      }),
    ]);
    const byId = new Map<string, Connector>();
    for (const item of [...own, ...certified]) {
      const connector = strip<Connector>(item);
      const seen = byId.get(connector.id);
      if (!seen || seen.version < connector.version) byId.set(connector.id, connector);
    }
    return [...byId.values()];
  },
});
