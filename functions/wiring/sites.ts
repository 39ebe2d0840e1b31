/** The sites function's composition root: a project's site pointer, its deployment, and request logs. */
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { projectRepository } from './projects.ts';
import { tableNameFromConfig } from './system.ts';

export const siteDeps = {
  projects: projectRepository,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
};
