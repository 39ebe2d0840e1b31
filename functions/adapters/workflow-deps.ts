/**
 * The deployment workflows' composition root: only the deployment records and their logs,
 * so the step functions bundle no S3, KMS or connector code.
 */
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const workflowDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
};
