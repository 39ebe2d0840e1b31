/**
 * The deployment workflows' composition root: deployment records, logs and progress, the
 * cipher for configuration, the hosting runtime, and for the prepare step the artifact
 * (S3, zip, connect.yaml). The reaper uses `reaper-deps.ts`, which leaves the artifact out.
 */
import { config } from '../config.ts';
import type { PrepareDeps } from '../core/deployment-workflow.ts';
import { connectSpecificationParser } from './connect-spec/parser.ts';
import { s3ArtifactStore } from './s3/artifacts.ts';
import { transitionDeps } from './transition-deps.ts';
import { yauzlZipReader } from './zip/yauzl-listing.ts';

export const workflowDeps: PrepareDeps = {
  ...transitionDeps,
  artifacts: s3ArtifactStore(() => config.bucketName),
  zip: yauzlZipReader,
  specParser: connectSpecificationParser,
};
