/**
 * The artifact reader's composition root: S3 and the zip reader, plus what records progress.
 * Apart from the prepare step's root (`prepare.ts`): the S3 client and the connect.yaml
 * parser together would not fit one bundle's budget, and a module's side effects (a client,
 * a parser) come along with any import of it.
 */

import { dynamoUploadRepository } from '../adapters/dynamodb/uploads.ts';
import { s3ArtifactStore } from '../adapters/s3/artifacts.ts';
import { yauzlZipReader } from '../adapters/zip/yauzl-listing.ts';
import { config } from '../config.ts';
import type { ReadArtifactDeps } from '../core/deployments/workflow/record.ts';
import { recordDeps } from './record.ts';
import { tableNameFromConfig } from './system.ts';

export const artifactReaderDeps: ReadArtifactDeps = {
  ...recordDeps,
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  uploads: dynamoUploadRepository(tableNameFromConfig),
};
