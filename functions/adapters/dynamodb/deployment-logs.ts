import { BatchWriteCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { DeploymentLogInvalidPageToken } from '../../core/deployments/errors.ts';
import type { DeploymentLog } from '../../core/deployments/model.ts';
import type { DeploymentLogRepository } from '../../core/deployments/ports.ts';
import { newTimeOrderedId } from '../../core/shared/ids.ts';
import { documentClient } from './client.ts';
import { keys } from './keys.ts';
import { TABLE_SCHEMA } from './schema.ts';

/** Connect keeps deployment logs 30 days; DynamoDB's TTL removes them after that. */
export const LOG_RETENTION_SECONDS = 30 * 24 * 60 * 60;
const BATCH = 25;

const STRIPPED = new Set(['PK', 'SK', 'entity', TABLE_SCHEMA.timeToLiveAttribute]);

export const dynamoDeploymentLogRepository = (tableName: () => string): DeploymentLogRepository => ({
  async append(entries) {
    for (let i = 0; i < entries.length; i += BATCH) {
      let requests = entries.slice(i, i + BATCH).map((e) => ({
        PutRequest: {
          Item: {
            // Time first, then a time-ordered id: entries of one millisecond keep their order.
            ...keys.deploymentLog(e.deploymentId, `${e.timestamp}#${newTimeOrderedId()}`),
            entity: 'DeploymentLog',
            ...e,
            [TABLE_SCHEMA.timeToLiveAttribute]:
              Math.floor(Date.parse(e.timestamp) / 1000) + LOG_RETENTION_SECONDS,
          },
        },
      }));
      // BatchWrite may leave some items unprocessed under load; they are sent again.
      while (requests.length > 0) {
        const out = await documentClient.send(
          new BatchWriteCommand({ RequestItems: { [tableName()]: requests } }),
        );
        requests = (out.UnprocessedItems?.[tableName()] ?? []) as typeof requests;
      }
    }
  },

  async page(deploymentId, request) {
    const partition = keys.deploymentLogPartition(deploymentId);
    let start: Record<string, string> | undefined;
    if (request.pageToken !== undefined) {
      try {
        const decoded = JSON.parse(Buffer.from(request.pageToken, 'base64url').toString('utf8')) as unknown;
        const key = decoded as Record<string, unknown>;
        if (key.PK !== partition || typeof key.SK !== 'string' || Object.keys(key).length !== 2)
          throw new Error();
        start = { PK: partition, SK: key.SK };
      } catch {
        throw new DeploymentLogInvalidPageToken(request.pageToken);
      }
    }
    const data: DeploymentLog[] = [];
    let exclusiveStartKey: Record<string, unknown> | undefined = start;
    let last: Record<string, unknown> | undefined;
    do {
      const out = await documentClient.send(
        new QueryCommand({
          TableName: tableName(),
          // The upper bound sorts after every `<to>#<id>`.
          KeyConditionExpression: 'PK = :pk AND SK BETWEEN :from AND :to',
          ExpressionAttributeValues: {
            ':pk': partition,
            ':from': request.from,
            ':to': `${request.to}#~`,
            ...(request.applicationName === undefined ? {} : { ':app': request.applicationName }),
          },
          ...(request.applicationName === undefined ? {} : { FilterExpression: 'applicationName = :app' }),
          Limit: request.limit - data.length,
          ExclusiveStartKey: exclusiveStartKey,
          ConsistentRead: true,
        }),
      );
      for (const item of out.Items ?? [])
        data.push(
          Object.fromEntries(Object.entries(item).filter(([k]) => !STRIPPED.has(k))) as DeploymentLog,
        );
      exclusiveStartKey = out.LastEvaluatedKey;
      last = out.LastEvaluatedKey;
    } while (data.length < request.limit && exclusiveStartKey);
    return {
      data,
      ...(last
        ? { next: Buffer.from(JSON.stringify({ PK: last.PK, SK: last.SK })).toString('base64url') }
        : {}),
    };
  },
});
