/**
 * The reaper's composition root: what finishes an operation (records, trail, bus, logs, and
 * hosting to stop what it started), and Step Functions to ask about and stop executions of
 * deploy and undeploy. It starts no execution and neither seals nor opens secured values.
 */

import { localBuildFiles } from '../adapters/build-files/local-build-files.ts';
import { s3BuildFiles } from '../adapters/build-files/s3-build-files.ts';
import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoRevisionRepository } from '../adapters/dynamodb/revisions.ts';
import {
  notInThisFunction,
  operationStateMachineArnOf,
  sfnState,
  sfnStop,
} from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import type { ReaperDeps } from '../core/deployments/reaper.ts';
import type { BuildFiles, RetentionDeps } from '../core/deployments/retention.ts';
import { noCipher } from './cipher-refusals.ts';
import { configuredHosting } from './hosting.ts';
import { recordDeps } from './record.ts';
import { tableNameFromConfig } from './system.ts';

export const reaperDeps: ReaperDeps = {
  ...recordDeps,
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  revisions: dynamoRevisionRepository(tableNameFromConfig),
  hosting: configuredHosting,
  // Failing an operation never touches its secured configuration: no key, no KMS client.
  cipher: noCipher,
  workflows: {
    start: notInThisFunction('start'),
    stop: sfnStop(operationStateMachineArnOf),
    state: sfnState(operationStateMachineArnOf),
  },
  get settings() {
    return { graceMs: config.reaperGraceSeconds * 1000 };
  },
};

/**
 * Kept builds' files: the workspace of `npm start` (where its hosting service runs them), the
 * artifacts bucket on AWS. Chosen as hosting is: by whether the local hosting service is set.
 */
const local = localBuildFiles(() => config.workspaceDir);
const s3 = s3BuildFiles(() => config.bucketName);
const buildFiles: BuildFiles = {
  discard: (target) => (config.localHostingUrl ? local : s3).discard(target),
  discardAll: (deploymentId) => (config.localHostingUrl ? local : s3).discardAll(deploymentId),
};

/** Build retention, which runs with the reaper (its schedule is the scheduled job's). */
export const retentionDeps: RetentionDeps = {
  deployments: reaperDeps.deployments,
  revisions: reaperDeps.revisions,
  buildFiles,
  get settings() {
    return { keepBuilds: config.keepBuilds };
  },
};
