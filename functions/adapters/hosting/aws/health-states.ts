import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { HealthRef, HealthStates } from '../../../core/hosting/health-probe.ts';
import { documentClient } from '../../dynamodb/client.ts';
import { unlessConditionFails } from '../../dynamodb/errors.ts';

/**
 * The run of health checks of each application the AWS prober checks (`./health.ts`): one item
 * per application of a build, beside nothing else (it is written on a check's change, not read
 * by the API), kept a day past its last write (TTL), so a stopped application's goes by itself.
 */
const healthStateKey = (ref: HealthRef) => ({
  PK: `HEALTH#${ref.deploymentId}`,
  SK: `${ref.buildId}#${ref.applicationName}`,
});

const KEEP_SECONDS = 86_400;

export const dynamoHealthStates = (tableName: () => string): HealthStates => ({
  async get(ref) {
    const { Item } = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: healthStateKey(ref), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      state: { consecutiveFailures: Number(Item.consecutiveFailures), unhealthy: Item.unhealthy === true },
      version: Number(Item.version),
    };
  },

  async put(ref, state, version) {
    const written = await unlessConditionFails(() =>
      documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: {
            ...healthStateKey(ref),
            entity: 'ApplicationHealth',
            consecutiveFailures: state.consecutiveFailures,
            unhealthy: state.unhealthy,
            version: version + 1,
            ttl: Math.ceil(Date.now() / 1000) + KEEP_SECONDS,
          },
          ConditionExpression: version === 0 ? 'attribute_not_exists(PK)' : 'version = :version',
          ...(version === 0 ? {} : { ExpressionAttributeValues: { ':version': version } }),
        }),
      ),
    );
    return written !== undefined;
  },
});
