/**
 * The deployments' composition root. The secret cipher is chosen by configuration (see
 * `configuredCipher`). No hosting runtime: the workflows host and stop applications.
 */
import { config } from '../config.ts';
import { cachedProjectRepository } from './cached-projects.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { deps } from './deps.ts';
import { dynamoConnectorRepository } from './dynamodb/connectors.ts';
import { dynamoDeploymentEventRepository } from './dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { dynamoUploadRepository } from './dynamodb/uploads.ts';
import { localDomainEvents } from './events/local-bus.ts';
import { sfnWorkflows, stateMachineArnOf } from './sfn/workflows.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

/** See `cachedProjectRepository`: ten seconds at most between a project's deletion and its last sighting. */
const PROJECT_CACHE_MS = 10_000;

export const deploymentDeps = {
  // A deployment can be made straight from an upload: claimed here, checked and copied by
  // the workflow. No artifact store: this function bundles no S3 client.
  uploads: dynamoUploadRepository(tableNameFromConfig),
  projects: cachedProjectRepository(deps.projects, PROJECT_CACHE_MS),
  clock: systemClock,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: localDomainEvents,
  cipher: configuredCipher,
  workflows: sfnWorkflows(stateMachineArnOf),
  get settings() {
    return { regions: config.regions };
  },
};
