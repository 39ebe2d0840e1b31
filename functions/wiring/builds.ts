/** The build environment's composition root (CodeBuild on AWS, the local runtime of `npm start`). */

import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from '../adapters/dynamodb/deployments.ts';
import { processRunner } from '../adapters/runtime/process-runner.ts';
import { s3ArtifactStore } from '../adapters/s3/artifacts.ts';
import { yauzlZipReader } from '../adapters/zip/yauzl-listing.ts';
import type { JobDeps } from '../builds/jobs.ts';
import { config } from '../config.ts';
import { openingCipher } from './cipher.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const buildDeps: JobDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  runner: processRunner,
  // Scripts decrypt their application's configuration; nothing here seals.
  cipher: openingCipher,
  get settings() {
    return {
      workspaceDir: config.workspaceDir,
      buildTimeoutMs: config.buildTimeoutSeconds * 1000,
      scriptTimeoutMs: config.scriptTimeoutSeconds * 1000,
    };
  },
};
