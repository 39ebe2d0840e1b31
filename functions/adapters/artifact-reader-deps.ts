/**
 * The artifact reader's composition root: S3 and the zip reader, plus what records progress.
 * Apart from the prepare step's root (`prepare-deps.ts`): the S3 client and the connect.yaml
 * parser together would not fit one bundle's budget, and a module's side effects (a client,
 * a parser) come along with any import of it.
 */
import { config } from '../config.ts';
import type { ReadArtifactDeps } from '../core/deployment-workflow.ts';
import { dynamoUploadRepository } from './dynamodb/uploads.ts';
import { recordDeps } from './record-deps.ts';
import { s3ArtifactStore } from './s3/artifacts.ts';
import { tableNameFromConfig } from './system.ts';
import { yauzlZipReader } from './zip/yauzl-listing.ts';

export const artifactReaderDeps: ReadArtifactDeps = {
  ...recordDeps,
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  uploads: dynamoUploadRepository(tableNameFromConfig),
};
