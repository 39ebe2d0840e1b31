/**
 * The BigCommerce streams' composition root: deployments, their trail and logs, and what
 * resolves the caller (no authorizer stands in front of a function URL).
 */
import { dynamoDeploymentEventRepository } from '../adapters/dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { authDeps } from './auth.ts';
import { deps } from './shared.ts';
import { tableNameFromConfig } from './system.ts';

export { authDeps };

export const streamDeps = {
  ...deps,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
};
