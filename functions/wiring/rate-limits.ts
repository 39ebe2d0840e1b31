/**
 * The rate limits' composition root, for every API function's pipeline (`apiHandler`'s
 * `rateLimits` option): the DynamoDB counter, each tenant's own limits (kept briefly by each
 * warm function: they are asked for on every request) and the configured defaults.
 */
import { dynamoRateCounter } from '../adapters/dynamodb/rate-counter.ts';
import { dynamoTenantLimitsRepository } from '../adapters/dynamodb/tenant-limits.ts';
import { config } from '../config.ts';
import { cachedLimits } from '../core/limits/limits.ts';
import type { RateLimitDeps } from '../core/limits/rate-limits.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const rateLimitDeps: RateLimitDeps = {
  counter: dynamoRateCounter(tableNameFromConfig),
  limits: cachedLimits(
    dynamoTenantLimitsRepository(tableNameFromConfig),
    () => config.tenantLimitsCacheSeconds * 1000,
  ),
  clock: systemClock,
  get defaults() {
    return config.tenantLimits;
  },
};
