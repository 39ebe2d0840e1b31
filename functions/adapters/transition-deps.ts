/** What changes a deployment's status from a workflow or the reaper: records, trail, bus, hosting, cipher. */
import type { WorkflowDeps } from '../core/deployment-workflow.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { configuredHosting } from './hosting/configured.ts';
import { recordDeps } from './record-deps.ts';
import { tableNameFromConfig } from './system.ts';

export const transitionDeps: WorkflowDeps = {
  ...recordDeps,
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  hosting: configuredHosting,
  cipher: configuredCipher,
};
