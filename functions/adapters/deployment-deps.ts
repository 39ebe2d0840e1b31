/**
 * The deployments' composition root. The secret cipher and the hosting runtime are chosen by
 * configuration (see `configuredCipher`, `configuredHosting`).
 */
import { config } from '../config.ts';
import { cachedProjectRepository } from './cached-projects.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { deps } from './deps.ts';
import { dynamoConnectorRepository } from './dynamodb/connectors.ts';
import { dynamoDeploymentEventRepository } from './dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { localDomainEvents } from './events/local-bus.ts';
import { configuredHosting } from './hosting/configured.ts';
import { sfnWorkflows, stateMachineArnOf } from './sfn/workflows.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { uploadDeps } from './upload-deps.ts';

/** See `cachedProjectRepository`: ten seconds at most between a project's deletion and its last sighting. */
const PROJECT_CACHE_MS = 10_000;

export const deploymentDeps = {
  // A deployment can be made straight from an upload (consumed, checked, copied).
  uploads: uploadDeps.uploads,
  artifacts: uploadDeps.artifacts,
  get limits() {
    return uploadDeps.limits;
  },
  projects: cachedProjectRepository(deps.projects, PROJECT_CACHE_MS),
  clock: systemClock,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: localDomainEvents,
  hosting: configuredHosting,
  cipher: configuredCipher,
  workflows: sfnWorkflows(stateMachineArnOf),
  get settings() {
    return { regions: config.regions };
  },
};
