/**
 * The health probe's composition root (AWS only: locally the supervisor of `npm start` checks
 * hosted applications itself): the deployments it reports to, the bus, Lambda to reach the
 * applications and the table keeping each one's run of checks.
 */
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { lambdaHealthProber } from '../adapters/hosting/aws/health-prober.ts';
import { dynamoHealthStates } from '../adapters/hosting/aws/health-states.ts';
import type { HealthProbeDeps } from '../core/hosting/health-probe.ts';
import { domainEvents } from './events.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const healthProbeDeps: HealthProbeDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  bus: domainEvents,
  prober: lambdaHealthProber,
  states: dynamoHealthStates(tableNameFromConfig),
};
