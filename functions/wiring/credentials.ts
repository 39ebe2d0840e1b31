/**
 * The credentials function's composition root: the shared credential repository and hasher,
 * and each tenant's own limits over the configured defaults (how many credentials it may hold).
 */
import { dynamoTenantLimitsRepository } from '../adapters/dynamodb/tenant-limits.ts';
import { config } from '../config.ts';
import { deps } from './shared.ts';
import { tableNameFromConfig } from './system.ts';

export const credentialDeps = {
  ...deps,
  // Read at each creation, not cached: an operator's change applies to the next one.
  tenantLimits: dynamoTenantLimitsRepository(tableNameFromConfig),
  get limitDefaults() {
    return config.tenantLimits;
  },
};
