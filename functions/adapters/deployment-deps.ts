/**
 * The deployments' composition root. The secret cipher is chosen by configuration: KMS when
 * a key id is configured (AWS), the local AES key otherwise (`npm start`, tests).
 */
import { config } from '../config.ts';
import type { SecretCipher } from '../core/ports.ts';
import { cachedProjectRepository } from './cached-projects.ts';
import { kmsSecretCipher } from './crypto/kms-cipher.ts';
import { localSecretCipher } from './crypto/local-cipher.ts';
import { deps } from './deps.ts';
import { dynamoConnectorRepository } from './dynamodb/connectors.ts';
import { dynamoDeploymentLogRepository } from './dynamodb/deployment-logs.ts';
import { dynamoDeploymentRepository } from './dynamodb/deployments.ts';
import { sfnWorkflowStarter, stateMachineArnOf } from './sfn/workflows.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { uploadDeps } from './upload-deps.ts';

const kms = kmsSecretCipher(() => config.kmsKeyId ?? '');
const local = localSecretCipher(() => config.secretsKey);
const cipher: SecretCipher = {
  encrypt: (values, context) => (config.kmsKeyId ? kms : local).encrypt(values, context),
  decrypt: (values, context) => (config.kmsKeyId ? kms : local).decrypt(values, context),
};

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
  cipher,
  workflows: sfnWorkflowStarter(stateMachineArnOf),
  get settings() {
    return { regions: config.regions };
  },
};
