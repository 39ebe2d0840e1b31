import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { type RateCounter, windowEnd } from '../../core/limits/rate-limits.ts';
import { documentClient } from './client.ts';
import { isConditionFailure, itemOfConditionFailure } from './errors.ts';

/** A tenant's rate window: one item of its own, apart from its projects (it is written on every request). */
export const rateWindowKey = (tenant: string) => ({ PK: `RATE#${tenant}`, SK: 'WINDOW' });

/** How long a window's item outlives the window: an idle tenant's counter expires by TTL. */
const KEEP_AFTER_WINDOW_SECONDS = 3_600;

/**
 * The rate counter (`functions/core/limits/rate-limits.ts`): per tenant, one item holding when
 * its window ends (`windowEndsAt`, epoch ms), the tenant's count (`t`) and each credential's
 * (`c.<kind:subject>`). A request adds one to both in one conditional update while the window is
 * open (one round trip); the first after it ended starts a new window with a conditional write
 * that only one concurrent request wins, the others then count in it.
 */
export const dynamoRateCounter = (tableName: () => string): RateCounter => ({
  async hit({ tenant, credential, now, windowSeconds, credentialLimit }) {
    const Key = rateWindowKey(tenant);
    for (let attempt = 1; ; attempt++) {
      try {
        const { Attributes: item = {} } = await documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key,
            UpdateExpression: 'ADD t :one SET c.#credential = if_not_exists(c.#credential, :zero) + :one',
            // A credential past its own limit is refused without a write: its requests then use
            // up nothing of its tenant's allowance, and cost no write.
            ConditionExpression:
              'windowEndsAt > :now AND (attribute_not_exists(c.#credential) OR c.#credential < :limit)',
            ExpressionAttributeNames: { '#credential': credential },
            ExpressionAttributeValues: { ':one': 1, ':zero': 0, ':now': now, ':limit': credentialLimit },
            ReturnValues: 'ALL_NEW',
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        const counts = (item.c ?? {}) as Record<string, number>;
        return {
          tenant: Number(item.t),
          credential: Number(counts[credential]),
          windowEndsAt: Number(item.windowEndsAt),
        };
      } catch (error) {
        // The window has ended (or there is none yet); a third miss would be a clock gone wrong.
        if (!isConditionFailure(error) || attempt > 2) throw error;
        const old = itemOfConditionFailure(error);
        if (old && Number(old.windowEndsAt) > now) {
          const counts = (old.c ?? {}) as Record<string, number>;
          return {
            tenant: Number(old.t),
            credential: Number(counts[credential] ?? 0) + 1,
            windowEndsAt: Number(old.windowEndsAt),
          };
        }
      }
      const endsAt = windowEnd(now, windowSeconds);
      try {
        await documentClient.send(
          new UpdateCommand({
            TableName: tableName(),
            Key,
            UpdateExpression: 'SET windowEndsAt = :end, t = :one, c = :counts, #ttl = :ttl, entity = :entity',
            ConditionExpression: 'attribute_not_exists(windowEndsAt) OR windowEndsAt <= :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: {
              ':end': endsAt,
              ':one': 1,
              ':counts': { [credential]: 1 },
              ':ttl': Math.ceil(endsAt / 1000) + KEEP_AFTER_WINDOW_SECONDS,
              ':now': now,
              ':entity': 'RateWindow',
            },
          }),
        );
        return { tenant: 1, credential: 1, windowEndsAt: endsAt };
      } catch (error) {
        // Another request started this window first: count in it.
        if (!isConditionFailure(error)) throw error;
      }
    }
  },
});
