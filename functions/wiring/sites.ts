/** The sites function's composition root: a project's site pointer, its deployment, and request logs. */
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { deps } from './shared.ts';
import { tableNameFromConfig } from './system.ts';

export const siteDeps = {
  projects: deps.projects,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
};
