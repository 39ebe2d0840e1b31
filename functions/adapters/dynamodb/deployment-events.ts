import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DeploymentEvent } from '../../core/deployments/model.ts';
import type { DeploymentEventRepository } from '../../core/deployments/ports.ts';
import { newTimeOrderedId } from '../../core/shared/ids.ts';
import { documentClient } from './client.ts';
import { LOG_RETENTION_SECONDS } from './deployment-logs.ts';
import { keys } from './keys.ts';
import { queryAll } from './pager.ts';
import { TABLE_SCHEMA } from './schema.ts';

const STRIPPED = new Set(['PK', 'SK', 'entity', TABLE_SCHEMA.timeToLiveAttribute]);

/**
 * A deployment's progress trail in a partition of its own, ordered by a time-ordered id (so
 * events of one millisecond keep their order), kept as long as the deployment's logs.
 */
export const dynamoDeploymentEventRepository = (tableName: () => string): DeploymentEventRepository => ({
  async append(event) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.deploymentEvent(event.deploymentId, newTimeOrderedId()),
          entity: 'DeploymentEvent',
          ...event,
          [TABLE_SCHEMA.timeToLiveAttribute]: Math.floor(Date.parse(event.at) / 1000) + LOG_RETENTION_SECONDS,
        },
      }),
    );
  },

  async list(deploymentId) {
    const items = await queryAll({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.deploymentEventPartition(deploymentId) },
    });
    return items.map(
      (item) =>
        Object.fromEntries(
          Object.entries(item).filter(([k]) => !STRIPPED.has(k)),
        ) as unknown as DeploymentEvent,
    );
  },
});
