/**
 * What records a deployment's progress and status: records, trail, bus. No hosting and no
 * cipher, so the artifact and prepare functions bundle neither (`transition.ts` adds them).
 */

import { dynamoDeploymentEventRepository } from '../adapters/dynamodb/deployment-events.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import type { RecordDeps } from '../core/deployments/workflow/record.ts';
import { domainEvents } from './events.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const recordDeps: RecordDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: domainEvents,
};
