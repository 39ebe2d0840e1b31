/**
 * The deployment workflows' composition root: deployment records, logs and progress, the
 * artifact (S3, zip, connect.yaml) for the prepare step, the cipher for configuration, and
 * the hosting runtime.
 */
import { config } from '../config.ts';
import type { PrepareDeps } from '../core/deployment-workflow.ts';
import { connectSpecificationParser } from './connect-spec/parser.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { dynamoDeploymentEventRepository } from './dynamodb/deployment-events.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { localDomainEvents } from './events/local-bus.ts';
import { configuredHosting } from './hosting/configured.ts';
import { s3ArtifactStore } from './s3/artifacts.ts';
import { sfnWorkflows, stateMachineArnOf } from './sfn/workflows.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { yauzlZipReader } from './zip/yauzl-listing.ts';

export const workflowDeps: PrepareDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  events: dynamoDeploymentEventRepository(tableNameFromConfig),
  bus: localDomainEvents,
  hosting: configuredHosting,
  cipher: configuredCipher,
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  specParser: connectSpecificationParser,
};

/** The reaper also asks Step Functions about executions, and stops them. */
export const reaperDeps = {
  ...workflowDeps,
  workflows: sfnWorkflows(stateMachineArnOf),
  get settings() {
    return { graceMs: config.reaperGraceSeconds * 1000 };
  },
};
