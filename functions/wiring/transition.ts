/**
 * What changes a deployment's status from a workflow: records, trail, bus, hosting, and the
 * cipher, which only opens (hosting gives an application its secured configuration).
 */

import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoRevisionRepository } from '../adapters/dynamodb/revisions.ts';
import type { WorkflowDeps } from '../core/deployments/workflow/record.ts';
import { openingCipher } from './cipher.ts';
import { configuredHosting } from './hosting.ts';
import { recordDeps } from './record.ts';
import { tableNameFromConfig } from './system.ts';

export const transitionDeps: WorkflowDeps = {
  ...recordDeps,
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  revisions: dynamoRevisionRepository(tableNameFromConfig),
  hosting: configuredHosting,
  cipher: openingCipher,
};
