/**
 * The uploads' composition root: the shared ports plus the upload records and the artifact
 * store. Separate from `shared.ts` so only the functions that sign or record uploads bundle
 * the S3 client and presigner.
 */

import { dynamoUploadRepository } from '../adapters/dynamodb/uploads.ts';
import { s3ArtifactStore } from '../adapters/s3/artifacts.ts';
import { config } from '../config.ts';
import { deps, tableNameFromConfig } from './shared.ts';

export const uploadDeps = {
  ...deps,
  uploads: dynamoUploadRepository(tableNameFromConfig),
  artifacts: s3ArtifactStore(() => config.bucketName),
  get limits() {
    return { maxUploadBytes: config.maxUploadBytes, uploadTtlSeconds: config.uploadTtlSeconds };
  },
};
