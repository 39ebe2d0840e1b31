/**
 * What records a deployment's progress and status: records, trail, bus. No hosting and no
 * cipher, so the artifact and prepare functions bundle neither (`transition-deps.ts` adds them).
 */
import type { RecordDeps } from '../core/deployment-workflow.ts';
import { dynamoDeploymentEventRepository } from './dynamodb/deployment-events.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { localDomainEvents } from './events/local-bus.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const recordDeps: RecordDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: localDomainEvents,
};
