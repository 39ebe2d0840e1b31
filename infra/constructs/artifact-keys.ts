/**
 * What the artifacts bucket holds where, as IAM key patterns: each from the function that
 * names those keys in the code, so a grant on them follows the code. Functions are granted
 * exactly the patterns they read or write (`SlipwayFunction.bindBucket`, `grantObjects`).
 */
import {
  artifactObjectKey,
  fetchFailureObjectKey,
  gitArchiveObjectKey,
} from '../../functions/core/connectors/actions.ts';
import { deploymentArtifactKey } from '../../functions/core/deployments/create.ts';
import { UPLOAD_KEY_PATTERN } from '../../functions/core/uploads/uploads.ts';

const sources = gitArchiveObjectKey('*', '*');

export const ARTIFACT_KEYS = {
  /** Presigned uploads: `projects/<project or store-…>/uploads/<upload>.zip`. */
  uploads: UPLOAD_KEY_PATTERN,
  /** A connector's copy of the upload it consumed. */
  connectorArtifacts: artifactObjectKey('*', '*'),
  /** The git archive the FetchSource build leaves for one check of a connector. */
  connectorSources: sources,
  /** Beside it, git's own words when the clone failed. */
  fetchFailures: fetchFailureObjectKey(sources),
  /** A deployment's copy of the upload it consumed. */
  deploymentArtifacts: deploymentArtifactKey('*', '*'),
  /**
   * What the BuildApplication build leaves for hosting and scripts (its buildspec in
   * `workflows.ts`): `deployments/<id>/builds/<operation>/<application>.zip`, or the files
   * under `…/<application>/` for an assets application.
   */
  builds: 'deployments/*/builds/*',
} as const;

/** What a deployment deploys from: its own copy of an upload, or its connector's artifact or source. */
export const DEPLOYABLE_ARTIFACTS = [
  ARTIFACT_KEYS.deploymentArtifacts,
  ARTIFACT_KEYS.connectorArtifacts,
  ARTIFACT_KEYS.connectorSources,
];
