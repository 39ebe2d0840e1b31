/** The BigCommerce projects function's composition root: projects, plus what a project's logs are read from. */
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { deps } from './shared.ts';
import { tableNameFromConfig } from './system.ts';

export { deps };

export const logDeps = {
  ...deps,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
};
