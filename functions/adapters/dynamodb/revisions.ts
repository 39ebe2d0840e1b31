import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DeploymentRevision } from '../../core/deployments/model.ts';
import type { DeploymentRevisionRepository } from '../../core/deployments/ports.ts';
import { documentClient } from './client.ts';
import { keys } from './keys.ts';
import { pagedQuery, queryAll } from './pager.ts';

type Item = Record<string, unknown>;

const STRIPPED = new Set(['PK', 'SK', 'entity']);
const fromItem = (item: Item): DeploymentRevision =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STRIPPED.has(k))) as unknown as DeploymentRevision;

/** BatchWrite takes 25 requests at a time. */
const BATCH = 25;

/**
 * A deployment's revisions in a partition of their own (`REVISION#<deployment id>`), newest
 * last in key order, so a query read backwards lists them most recent first. An item holds
 * what the deployment held when deployed: well under DynamoDB's 400 KB, like the deployment.
 */
export const dynamoRevisionRepository = (tableName: () => string): DeploymentRevisionRepository => {
  const partition = (deploymentId: string) => ({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk',
    ExpressionAttributeValues: { ':pk': keys.deploymentRevisionPartition(deploymentId) },
    ScanIndexForward: false,
  });
  return {
    async put(revision) {
      await documentClient
        .send(
          new PutCommand({
            TableName: tableName(),
            Item: {
              ...keys.deploymentRevision(revision.deploymentId, revision.revision),
              entity: 'DeploymentRevision',
              ...revision,
            },
            // A retried step records the same revision again; retention's mark stays.
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        )
        .catch((error: Error) => {
          if (error.name !== 'ConditionalCheckFailedException') throw error;
        });
    },

    async get(deploymentId, revision) {
      const { Item } = await documentClient.send(
        new GetCommand({
          TableName: tableName(),
          Key: keys.deploymentRevision(deploymentId, revision),
          ConsistentRead: true,
        }),
      );
      return Item ? fromItem(Item) : undefined;
    },

    page(deploymentId, page) {
      return pagedQuery(
        {
          input: partition(deploymentId),
          partitionAttr: 'PK',
          partitionValue: keys.deploymentRevisionPartition(deploymentId),
        },
        page,
        fromItem,
      );
    },

    async all(deploymentId) {
      return (await queryAll(partition(deploymentId))).map(fromItem);
    },

    async markBuildDiscarded(deploymentId, buildId) {
      const kept = (await queryAll(partition(deploymentId))).filter(
        (item) => item.buildId === buildId && item.buildKept === true,
      );
      for (const item of kept)
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key: { PK: item.PK, SK: item.SK },
            UpdateExpression: 'SET buildKept = :false',
            ExpressionAttributeValues: { ':false': false },
          }),
        );
    },

    async markRetentionDue(projectId, deploymentId) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.retentionDue(deploymentId), entity: 'RetentionDue', projectId, deploymentId },
        }),
      );
    },

    async listRetentionDue(limit) {
      const items = await queryAll({
        TableName: tableName(),
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.retentionDuePartition },
        Limit: limit,
      });
      return items.slice(0, limit).map((item) => ({
        projectId: String(item.projectId),
        deploymentId: String(item.deploymentId),
      }));
    },

    async clearRetentionDue(deploymentId) {
      await documentClient.send(
        new DeleteCommand({ TableName: tableName(), Key: keys.retentionDue(deploymentId) }),
      );
    },

    async removeAll(deploymentId) {
      const items = await queryAll({ ...partition(deploymentId), ProjectionExpression: 'PK, SK' });
      for (let i = 0; i < items.length; i += BATCH) {
        let requests = items.slice(i, i + BATCH).map((item) => ({
          DeleteRequest: { Key: { PK: item.PK, SK: item.SK } },
        }));
        // BatchWrite may leave some unprocessed under load; they are sent again.
        while (requests.length > 0) {
          const out = await documentClient.send(
            new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }),
          );
          requests = (out.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
        }
      }
      await documentClient.send(
        new DeleteCommand({ TableName: tableName(), Key: keys.retentionDue(deploymentId) }),
      );
    },
  };
};
