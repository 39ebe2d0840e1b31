/** The publish workflow's composition root: what its steps read (S3, zip, connect.yaml) and write. */
import { config } from '../config.ts';
import { connectSpecificationParser } from './connect-spec/parser.ts';
import { dynamoConnectorRepository } from './dynamodb/connectors.ts';
import { s3ArtifactStore } from './s3/artifacts.ts';
import { systemClock, tableNameFromConfig } from './system.ts';
import { yauzlZipReader } from './zip/yauzl-listing.ts';

export const publisherDeps = {
  clock: systemClock,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  specParser: connectSpecificationParser,
};
