/**
 * What every API function's request pipeline needs (`apiHandler`'s options): the rate limits
 * each authenticated request is counted against, and the audit trail each state-changing
 * request is recorded in.
 */
import { dynamoAuditLog } from '../adapters/dynamodb/audit.ts';
import { rateLimitDeps } from './rate-limits.ts';
import { tableNameFromConfig } from './system.ts';

export const pipelineDeps = {
  rateLimits: rateLimitDeps,
  audit: dynamoAuditLog(tableNameFromConfig),
};
