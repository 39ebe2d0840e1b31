/**
 * Deployments in Connect's terms (the Deployment representation), plus what Slipway keeps
 * internally: the project and tenant, the connector's inspected artifact, the operation in
 * flight. Secured configuration values exist here only as ciphertext.
 */
import type { Connector } from '../connectors/model.ts';
import type { HealthCheckTiming } from '../connectors/spec.ts';

export type DeploymentStatus =
  | 'Draft'
  | 'Queued'
  | 'Deploying'
  | 'Deployed'
  | 'Failed'
  | 'Undeploying'
  | 'UndeployFailed';

export const DEPLOYMENT_TYPES = ['preview', 'sandbox', 'production'] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

export interface ConfigurationValue {
  key: string;
  value: string;
}

/** A secured value as stored: its key and its ciphertext, never the value. */
export interface SecuredValue {
  key: string;
  ciphertext: string;
}

export interface StoredConfiguration {
  standardConfiguration: ConfigurationValue[];
  securedConfiguration: SecuredValue[];
}

export interface ApplicationDeployment extends StoredConfiguration {
  id: string;
  applicationName: string;
  /** Filled by the workflow: service apps. */
  url?: string;
  /** Where a service's `url` forwards to, when that is another address (AWS). Internal. */
  origin?: string;
  /** Event apps. */
  topic?: string;
  /** Job apps: the schedule in effect (connect.yaml's, or the override). */
  schedule?: string;
  /** The deployment's own schedule for a job, given in its configuration (Slipway). Internal. */
  scheduleOverride?: string;
}

/**
 * The connector as it was when deployed (Connect's DeploymentConnector): a published version
 * without what only its owner sees, or a previewable ConnectorStaged (`staged`). `objectKey`
 * is the checked zip the workflow deploys.
 */
export type DeploymentConnector = Omit<
  Connector,
  'tenant' | 'private' | 'privateProjects' | 'createdAt' | 'lastModifiedAt'
> & { staged: boolean };

export interface DeploymentReportEntry {
  type: 'Information' | 'Warning' | 'Error';
  title: string;
  message?: string;
  application?: string;
  createdAt: string;
}

/** What the project's lock records: who holds it, for what, until when. */
export interface ProjectLock {
  projectId: string;
  deploymentId: string;
  operation: 'deploy' | 'undeploy';
  /** The build the operation runs (`details.build.id`); only it can release the lock. */
  operationId: string;
  leaseExpiresAt: string;
  /**
   * The deployment's tenant, whose concurrent builds the lock counts among (see
   * `core/limits/quotas.ts`); absent on locks taken before quotas existed.
   */
  tenant?: string;
}

export interface Deployment {
  id: string;
  tenant: string;
  projectId: string;
  projectKey: string;
  key?: string;
  version: number;
  type: DeploymentType;
  connector: DeploymentConnector;
  globalConfiguration?: StoredConfiguration;
  apiClient?: { name: string; scopes: string[] };
  details: { build: { id: string; report: { entries: DeploymentReportEntry[] } } };
  deployedRegion: string;
  applications: ApplicationDeployment[];
  status: DeploymentStatus;
  /** The last redeploy's choice, for the workflow. */
  skipScripts: boolean;
  /**
   * Slipway: a failing `postDeploy` fails the deployment instead of leaving a Warning on a
   * Deployed one. Set on create or redeploy; the project's setting applies when absent.
   */
  strictScripts?: boolean;
  /**
   * Slipway: served at its project's one address (`/sites/<project id>/`) once deployed,
   * replacing whatever was served there (the BigCommerce dialect's deployments).
   */
  site?: boolean;
  /**
   * Connect's `rollbackRevision`: the revision the current version was restored from. Absent
   * (not null) when the current version did not come from a rollback.
   */
  rollbackRevision?: number;
  /** The number of the newest revision recorded (1, 2, 3…; absent before the first deploy succeeds). Internal. */
  lastRevision?: number;
  /**
   * What a rollback or promote hosts instead of building: a kept build's applications, and
   * the operation whose build made them. Set with the operation, cleared once Deployed. Internal.
   */
  restore?: { buildId: string; applications: BuiltApplication[] };
  /**
   * A site deployment another one replaced at its project's address (BigCommerce): that
   * deployment's id. Its applications are stopped; a promote serves it again. Slipway.
   */
  supersededBy?: string;
  /** What is hosted now: the build that runs and the applications connect.yaml declared for it. Internal. */
  hosted?: HostedBuild;
  createdAt: string;
  lastModifiedAt: string;
}

/** One application as connect.yaml declares it, where its folder is in the artifact. */
export interface ApplicationPlan {
  applicationName: string;
  applicationType: string;
  /** The application's folder inside the zip (with the artifact's root folder, if any), ending in `/`. */
  folder: string;
  endpoint?: string;
  schedule?: string;
  healthCheckPath?: string;
  /** connect.yaml's `healthCheck` timing (its path is `healthCheckPath`); defaults apply when absent. */
  healthCheck?: HealthCheckTiming;
  scripts: { postDeploy?: string; preUndeploy?: string };
}

/** One built application: its plan and where the build left it (a directory locally, an object key on AWS). */
export interface BuiltApplication extends ApplicationPlan {
  bundle: string;
}

export interface HostedBuild {
  buildId: string;
  applications: BuiltApplication[];
  /** The build it replaced, stopped once this one is recorded (kept so a retried stop finds it). */
  replaces?: string;
  /**
   * The operation whose build made these applications' files, when it is not `buildId` (a
   * rollback or promote hosts an earlier build under an operation of its own).
   */
  builtBy?: string;
}

/** The workflow's input: enough to find the deployment and the operation it runs. */
export interface DeploymentExecution {
  tenant: string;
  projectId: string;
  deploymentId: string;
  operation: ProjectLock['operation'];
  operationId: string;
}

export const LOG_SEVERITIES = [
  'DEFAULT',
  'DEBUG',
  'INFO',
  'NOTICE',
  'WARNING',
  'ERROR',
  'CRITICAL',
  'ALERT',
  'EMERGENCY',
] as const;

/** Connect's DeploymentLog: what the workflow and the hosted applications write, kept 30 days. */
export interface DeploymentLog {
  type: 'HTTP_REQUEST' | 'APPLICATION_TEXT' | 'APPLICATION_JSON';
  deploymentId: string;
  applicationName: string;
  severity: (typeof LOG_SEVERITIES)[number];
  timestamp: string;
  details: Record<string, unknown>;
}

/** The BigCommerce step names, in order: the progress trail both dialects stream. */
export const DEPLOYMENT_STEPS = [
  'initializing',
  'downloading',
  'unzipping',
  'processing',
  'deploying',
  'finalizing',
  'complete',
] as const;
export type DeploymentStep = (typeof DEPLOYMENT_STEPS)[number] | 'failed';

/** One entry of a deployment's ordered progress trail. */
export interface DeploymentEvent {
  deploymentId: string;
  /** The operation (`details.build.id`) it belongs to. */
  operationId: string;
  operation: ProjectLock['operation'];
  step: DeploymentStep;
  /** 0–100. */
  progress: number;
  status: DeploymentStatus | 'Removed';
  message?: string;
  application?: string;
  /** The error code of a failure (`ApplicationBuildFailed`, `States.Timeout`…). */
  errorCode?: string;
  at: string;
}

/**
 * Connect's DeploymentRevision as stored: what one successful deploy ran (see `revisions.ts`).
 */
export interface DeploymentRevision {
  tenant: string;
  projectId: string;
  deploymentId: string;
  revision: number;
  createdAt: string;
  /** The operation (`details.build.id`) that deployed it. */
  operationId: string;
  /** The connector as deployed (its version, artifact and declared configuration). */
  connector: DeploymentConnector;
  /** Each application's configuration as deployed; secured values only as ciphertext. */
  applications: ApplicationDeployment[];
  globalConfiguration?: StoredConfiguration;
  /** The revision this one was restored from, when a rollback made it. */
  rollbackRevision?: number;
  /** The applications that ran (their built files). */
  builds: BuiltApplication[];
  /** The operation whose build made `builds`: what identifies the build. */
  buildId: string;
  /** False once retention removed the build's files: a rollback then builds it again. */
  buildKept: boolean;
}
