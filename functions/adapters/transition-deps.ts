/** What changes a deployment's status from a workflow or the reaper: records, trail, bus, hosting, cipher. */
import type { WorkflowDeps } from '../core/deployment-workflow.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { dynamoDeploymentEventRepository } from './dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { localDomainEvents } from './events/local-bus.ts';
import { configuredHosting } from './hosting/configured.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const transitionDeps: WorkflowDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: localDomainEvents,
  hosting: configuredHosting,
  cipher: configuredCipher,
};
