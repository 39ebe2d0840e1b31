/** What changes a deployment's status from a workflow or the reaper: records, trail, bus, hosting, cipher. */

import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import type { WorkflowDeps } from '../core/deployments/workflow/record.ts';
import { configuredCipher } from './cipher.ts';
import { configuredHosting } from './hosting.ts';
import { recordDeps } from './record.ts';
import { tableNameFromConfig } from './system.ts';

export const transitionDeps: WorkflowDeps = {
  ...recordDeps,
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  hosting: configuredHosting,
  cipher: configuredCipher,
};
