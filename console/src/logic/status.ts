import type { DeploymentStatus } from '../api/types.ts';

/** Every status a deployment can have, in the order the status filter offers them. */
export const STATUSES: readonly DeploymentStatus[] = [
  'Queued',
  'Deploying',
  'Deployed',
  'Failed',
  'Undeploying',
  'UndeployFailed',
  'Draft',
];

/** The colour family a status is shown in; the text always says the status too. */
export type Tone = 'ok' | 'progress' | 'error' | 'neutral';

export const statusTone = (status: string): Tone => {
  switch (status) {
    case 'Deployed':
    case 'Published':
    case 'completed':
      return 'ok';
    case 'Queued':
    case 'Deploying':
    case 'Undeploying':
    case 'Processing':
    case 'in_progress':
    case 'queued':
      return 'progress';
    case 'Failed':
    case 'UndeployFailed':
    case 'failed':
      return 'error';
    default:
      return 'neutral';
  }
};

/** Statuses whose operation is still running: the workflow will change them without us. */
export const isInProgress = (status: string): boolean =>
  status === 'Queued' || status === 'Deploying' || status === 'Undeploying' || status === 'Processing';

/** Connect accepts a cancel only while a deploy is queued or running. */
export const canCancel = (status: DeploymentStatus): boolean => status === 'Queued' || status === 'Deploying';

/** Redeploy, delete and rollback start only from a settled status (docs/connect-api.md). */
export const isSettled = (status: DeploymentStatus): boolean =>
  status === 'Draft' || status === 'Deployed' || status === 'Failed' || status === 'UndeployFailed';

/**
 * What a deployment runs, in a few words: the connector's key, or "uploaded zip" for one
 * deployed straight from an upload (whose connector is named after the upload's id).
 */
export const connectorLabel = (connector: { key?: string; name: string; artifact?: unknown }): string =>
  connector.key ?? (connector.artifact ? 'uploaded zip' : connector.name);
