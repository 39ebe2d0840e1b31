/**
 * The deployments' composition root. The secret cipher is chosen by configuration and only
 * seals (see `sealingCipher`). No hosting runtime: the workflows host and stop applications.
 * The workflows are only started (deploy and undeploy): a cancel is a write the workflow
 * notices, and the reaper is what stops and looks at executions.
 */

import { cachedProjectRepository } from '../adapters/cache/cached-projects.ts';
import { dynamoConnectorRepository } from '../adapters/dynamodb/connectors.ts';
import { dynamoDeploymentEventRepository } from '../adapters/dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { dynamoRevisionRepository } from '../adapters/dynamodb/revisions.ts';
import { dynamoTenantLimitsRepository } from '../adapters/dynamodb/tenant-limits.ts';
import { dynamoUploadRepository } from '../adapters/dynamodb/uploads.ts';
import { notInThisFunction, operationStateMachineArnOf, sfnStart } from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import type { Workflows } from '../core/shared/workflows.ts';
import { sealingCipher } from './cipher.ts';
import { domainEvents } from './events.ts';
import { projectRepository } from './projects.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

/** See `cachedProjectRepository`: ten seconds at most between a project's deletion and its last sighting. */
const PROJECT_CACHE_MS = 10_000;

const workflows: Workflows = {
  start: sfnStart(operationStateMachineArnOf),
  stop: notInThisFunction('stop'),
  state: notInThisFunction('state'),
};

export const deploymentDeps = {
  // A deployment can be made straight from an upload: claimed here, checked and copied by
  // the workflow. No artifact store: this function bundles no S3 client.
  uploads: dynamoUploadRepository(tableNameFromConfig),
  projects: cachedProjectRepository(projectRepository, PROJECT_CACHE_MS),
  clock: systemClock,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  revisions: dynamoRevisionRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: domainEvents,
  cipher: sealingCipher,
  workflows,
  // Read once per deploy, not cached: an operator's change applies to the next one.
  limits: dynamoTenantLimitsRepository(tableNameFromConfig),
  get settings() {
    return { regions: config.regions, limits: config.tenantLimits };
  },
};
