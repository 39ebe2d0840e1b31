import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { TenantLimitsRepository } from '../../core/limits/limits.ts';
import { overridesOf } from '../../core/limits/schemas.ts';
import { documentClient } from './client.ts';

/**
 * A tenant's own limits: one item beside its projects, holding only the values an operator set
 * (`npm run tenant:limits`); quotas read it at each deploy, the rate limiter through a cache
 * (`functions/wiring/rate-limits.ts`).
 */
export const tenantLimitsKey = (tenant: string) => ({ PK: `TENANT#${tenant}`, SK: 'LIMITS' });

export const dynamoTenantLimitsRepository = (tableName: () => string): TenantLimitsRepository => ({
  async get(tenant) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: tenantLimitsKey(tenant), ConsistentRead: true }),
    );
    return overridesOf(out.Item);
  },
  async set(tenant, overrides) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: { ...tenantLimitsKey(tenant), entity: 'TenantLimits', tenant, ...overrides },
      }),
    );
  },
});
