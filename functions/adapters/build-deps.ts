/** The build environment's composition root (CodeBuild on AWS, the local runtime of `npm start`). */
import type { JobDeps } from '../builds/jobs.ts';
import { config } from '../config.ts';
import { configuredCipher } from './crypto/configured-cipher.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { processRunner } from './runtime/process-runner.ts';
import { s3ArtifactStore } from './s3/artifacts.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { yauzlZipReader } from './zip/yauzl-listing.ts';

export const buildDeps: JobDeps = {
  clock: systemClock,
  deployments: dynamoDeploymentRepository(tableNameFromConfig),
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  runner: processRunner,
  cipher: configuredCipher,
  get settings() {
    return {
      workspaceDir: config.workspaceDir,
      buildTimeoutMs: config.buildTimeoutSeconds * 1000,
      scriptTimeoutMs: config.scriptTimeoutSeconds * 1000,
    };
  },
};
