/**
 * Every error the domain can raise, each with the Connect error `code` it is
 * reported under. The HTTP status for each code lives in one table
 * (`functions/http/error-status.ts`); dialects only change the envelope.
 */

export type ErrorDetails = Record<string, string | number | boolean | undefined>;

export class AppError extends Error {
  override readonly name: string = 'AppError';
  constructor(
    readonly code: string,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }
}

/** The request body is not JSON, or does not have the documented shape. */
export class InvalidJsonInput extends AppError {
  override readonly name = 'InvalidJsonInput';
  constructor(detailedErrorMessage: string, field?: string) {
    super('InvalidJsonInput', 'Request body does not contain valid JSON.', { detailedErrorMessage, field });
  }
}

export class InvalidQueryParam extends AppError {
  override readonly name = 'InvalidQueryParam';
  constructor(field: string, message: string) {
    super('InvalidQueryParam', `Invalid query parameter '${field}': ${message}`, { field });
  }
}

export class InvalidPathParam extends AppError {
  override readonly name = 'InvalidPathParam';
  constructor(field: string, message: string) {
    super('InvalidPathParam', `Invalid path parameter '${field}': ${message}`, { field });
  }
}

export class ResourceNotFound extends AppError {
  override readonly name = 'ResourceNotFound';
  constructor(message = 'The resource could not be found.') {
    super('ResourceNotFound', message);
  }
}

export class MethodNotAllowed extends AppError {
  override readonly name = 'MethodNotAllowed';
  constructor(method: string, path: string, allowed: readonly string[]) {
    super('MethodNotAllowed', `Method ${method} is not allowed on ${path}.`, { allowed: allowed.join(', ') });
  }
}

export class PayloadTooLarge extends AppError {
  override readonly name = 'PayloadTooLarge';
  constructor(limitBytes: number) {
    super('PayloadTooLarge', `The request body exceeds the limit of ${limitBytes} bytes.`, { limitBytes });
  }
}

export class UnsupportedMediaType extends AppError {
  override readonly name = 'UnsupportedMediaType';
  constructor(expected: string, received: string | undefined) {
    super('UnsupportedMediaType', `Content-Type must be ${expected}, got '${received ?? 'none'}'.`);
  }
}

export class DuplicateField extends AppError {
  override readonly name = 'DuplicateField';
  constructor(field: string, duplicateValue: string) {
    super('DuplicateField', `A value for '${field}' of '${duplicateValue}' already exists.`, {
      field,
      duplicateValue,
    });
  }
}

export class AuthenticationError extends AppError {
  override readonly name = 'AuthenticationError';
  constructor(message = 'Authentication required: send a valid bearer token.') {
    super('AuthenticationError', message);
  }
}

export class AuthorizationError extends AppError {
  override readonly name = 'AuthorizationError';
  constructor(requiredScopes: readonly string[]) {
    super(
      'AuthorizationError',
      `Insufficient scope. One of the following scopes is missing: ${requiredScopes.join(', ')}`,
    );
  }
}

/** OAuth2 token endpoint errors keep the RFC 6749 codes so OAuth libraries understand them. */
export class InvalidClient extends AppError {
  override readonly name = 'InvalidClient';
  constructor() {
    super('invalid_client', 'Please provide valid client credentials using HTTP Basic Authentication.');
  }
}

export class InvalidScope extends AppError {
  override readonly name = 'InvalidScope';
  constructor(scope: string) {
    super('invalid_scope', `The scope '${scope}' is not granted to this client.`);
  }
}

export class UnsupportedGrantType extends AppError {
  override readonly name = 'UnsupportedGrantType';
  constructor(grantType: string | undefined) {
    super('unsupported_grant_type', `Unsupported grant_type '${grantType ?? ''}': use client_credentials.`);
  }
}

/** Upload lifecycle errors (issue 3): each says what the client can do about it. */
export class UploadNotFound extends AppError {
  override readonly name = 'UploadNotFound';
  constructor(id: string) {
    super('ResourceNotFound', `The upload '${id}' was not found.`);
  }
}

export class UploadTooLarge extends AppError {
  override readonly name = 'UploadTooLarge';
  constructor(size: number, maxSize: number) {
    super('UploadTooLarge', `The upload is ${size} bytes; the limit is ${maxSize} bytes.`, { size, maxSize });
  }
}

export class UploadNotReady extends AppError {
  override readonly name = 'UploadNotReady';
  constructor(id: string) {
    super('UploadNotReady', `The upload '${id}' has not been uploaded yet: PUT the file to its URL first.`);
  }
}

export class UploadExpired extends AppError {
  override readonly name = 'UploadExpired';
  constructor(id: string) {
    super('UploadExpired', `The upload '${id}' expired before a file arrived: request a new upload.`);
  }
}

export class UploadAlreadyConsumed extends AppError {
  override readonly name = 'UploadAlreadyConsumed';
  constructor(id: string, consumedBy: string) {
    super(
      'UploadAlreadyConsumed',
      `The upload '${id}' was already used by ${consumedBy}: request a new upload.`,
      {
        consumedBy,
      },
    );
  }
}

export class UploadContentInvalid extends AppError {
  override readonly name = 'UploadContentInvalid';
  constructor(id: string, reason: string) {
    super('UploadContentInvalid', `The upload '${id}' cannot be used: ${reason}.`);
  }
}

/** An artifact refused before anything in it runs; `code` names the rule it broke. */
export class ArtifactRejected extends AppError {
  override readonly name = 'ArtifactRejected';
  constructor(
    code:
      | 'ArtifactNotZip'
      | 'ArtifactUnsafePath'
      | 'ArtifactSymlink'
      | 'ArtifactTooLarge'
      | 'ArtifactCompressionRatio'
      | 'ArtifactTooManyEntries'
      | 'BundleTooManyFiles'
      | 'BundleFileTooLarge'
      | 'BundleManifestInvalid'
      | 'ConnectorSpecificationFileNotFound',
    message: string,
    details: ErrorDetails = {},
  ) {
    super(code, message, details);
  }
}

/** connect.yaml is there but does not follow the specification; the message lists every finding. */
export class ConnectorSpecificationFileNotValid extends AppError {
  override readonly name = 'ConnectorSpecificationFileNotValid';
  constructor(findings: string) {
    super('ConnectorSpecificationFileNotValid', `connect.yaml is not valid:\n${findings}`, {
      detailedErrorMessage: findings,
    });
  }
}

/** A write named a version that is no longer current (Connect's optimistic concurrency). */
export class ConcurrentModification extends AppError {
  override readonly name = 'ConcurrentModification';
  constructor(expectedVersion: number, currentVersion: number) {
    super(
      'ConcurrentModification',
      `Object version ${expectedVersion} does not match the current version ${currentVersion}.`,
      { expectedVersion, currentVersion },
    );
  }
}

/** `git clone` of a connector's repository and tag failed; the message carries git's own words. */
export class GitRepositoryNotReachable extends AppError {
  override readonly name = 'GitRepositoryNotReachable';
  constructor(url: string, tag: string, reason: string) {
    super(
      'GitRepositoryNotReachable',
      `The repository '${url}' at tag '${tag}' could not be fetched: ${reason}`,
    );
  }
}

/** A publish (or a source change) was asked for while a publish of the same draft is running. */
export class ConnectorStagedPublishRequestUnderProcess extends AppError {
  override readonly name = 'ConnectorStagedPublishRequestUnderProcess';
  constructor(id: string) {
    super(
      'ConnectorStagedPublishRequestUnderProcess',
      `The ConnectorStaged '${id}' is being published: wait until its status is Published or Failed.`,
    );
  }
}

/** Connect's error for a previewable request made while another one is being processed. */
export class ConnectorStagedPreviewRequestUnderProcess extends AppError {
  override readonly name = 'ConnectorStagedPreviewRequestUnderProcess';
  constructor(id: string) {
    super(
      'ConnectorStagedPreviewRequestUnderProcess',
      `The previewable request of the ConnectorStaged '${id}' is still being processed.`,
    );
  }
}

/** The source a publish needs is not there (the stored artifact was removed). */
export class ConnectorSourceMissing extends AppError {
  override readonly name = 'ConnectorSourceMissing';
  constructor(what: string) {
    super('ConnectorSourceMissing', `The connector's source could not be read: ${what}.`);
  }
}

/*
 * Deployment errors. Messages follow Connect's documented texts, so clients matching on them
 * keep working; details name what to fix.
 */
type ConfigurationKind = 'secret' | 'standard';

export class ConnectorReferenceNotFound extends AppError {
  override readonly name = 'ConnectorReferenceNotFound';
  constructor(identifier: string, version?: number) {
    super(
      'ConnectorReferenceNotFound',
      `Connector '${identifier}' with version ${version ?? 'latest'} not found`,
      { field: 'connector' },
    );
  }
}

export class ConnectorStagedNotPreviewable extends AppError {
  override readonly name = 'ConnectorStagedNotPreviewable';
  constructor(identifier: string) {
    super(
      'ConnectorStagedNotPreviewable',
      `The ConnectorStaged '${identifier}' is not previewable: run its updatePreviewable action first.`,
    );
  }
}

export class DeploymentInvalidType extends AppError {
  override readonly name = 'DeploymentInvalidType';
  constructor(id: string, key: string | undefined, type: string, allowed: readonly string[]) {
    super(
      'DeploymentInvalidType',
      `The Connector id=${id} or key=${key ?? ''} cannot be deployed as a '${type}' type. Only ${allowed.map((t) => `'${t}'`).join(', ')} types are allowed.`,
      { field: 'type' },
    );
  }
}

export class DeploymentUnsupportedRegion extends AppError {
  override readonly name = 'DeploymentUnsupportedRegion';
  constructor(region: string, supported: readonly string[]) {
    super('DeploymentUnsupportedRegion', `Deployment unsupported region ${region}`, {
      field: 'region',
      supportedRegions: supported.join(', '),
    });
  }
}

export class DeploymentUnknownApplicationConfiguration extends AppError {
  override readonly name = 'DeploymentUnknownApplicationConfiguration';
  constructor(applicationName: string) {
    super(
      'DeploymentUnknownApplicationConfiguration',
      `Deployment does not require configuration for application named '${applicationName}'.`,
      { applicationName },
    );
  }
}

export class DeploymentUnknownApplicationConfigurationKey extends AppError {
  override readonly name = 'DeploymentUnknownApplicationConfigurationKey';
  constructor(kind: ConfigurationKind, key: string, applicationName: string) {
    super(
      'DeploymentUnknownApplicationConfigurationKey',
      `Deployment does not require ${kind} configuration with key ${key} for application named ${applicationName}.`,
      { applicationName, key },
    );
  }
}

/** Slipway's: connect.yaml marks the key required and gives no default (Connect has no code for it). */
export class DeploymentMissingApplicationConfigurationKey extends AppError {
  override readonly name = 'DeploymentMissingApplicationConfigurationKey';
  constructor(kind: ConfigurationKind, key: string, applicationName: string) {
    super(
      'DeploymentMissingApplicationConfigurationKey',
      `Deployment application named ${applicationName} requires ${kind} configuration with key ${key}.`,
      { applicationName, key },
    );
  }
}

export class DeploymentApplicationRequired extends AppError {
  override readonly name = 'DeploymentApplicationRequired';
  constructor() {
    super('DeploymentApplicationRequired', 'A Deployment requires at least one application');
  }
}

export class DeploymentApplicationDoNotBelong extends AppError {
  override readonly name = 'DeploymentApplicationDoNotBelong';
  constructor(id: string, key: string | undefined, applicationName: string) {
    super(
      'DeploymentApplicationDoNotBelong',
      `Deployment with id=${id} or key=${key ?? ''} does not include application: ${applicationName}`,
      { applicationName },
    );
  }
}

export class DeploymentMissingGlobalConfigurationKey extends AppError {
  override readonly name = 'DeploymentMissingGlobalConfigurationKey';
  constructor(kind: ConfigurationKind, key: string) {
    super(
      'DeploymentMissingGlobalConfigurationKey',
      `Deployment global configuration requires ${kind} with key ${key}.`,
      { key },
    );
  }
}

export class DeploymentUnknownGlobalConfigurationKey extends AppError {
  override readonly name = 'DeploymentUnknownGlobalConfigurationKey';
  constructor(kind: ConfigurationKind, key: string) {
    super(
      'DeploymentUnknownGlobalConfigurationKey',
      `Deployment global configuration does not require ${kind} with key ${key}.`,
      { key },
    );
  }
}

export class DeploymentEmptyRequiredGlobalConfigurationKey extends AppError {
  override readonly name = 'DeploymentEmptyRequiredGlobalConfigurationKey';
  constructor(kind: ConfigurationKind, key: string) {
    super(
      'DeploymentEmptyRequiredGlobalConfigurationKey',
      `Deployment requires a non empty value for ${kind} global configuration with key ${key}.`,
      { key },
    );
  }
}

const ALREADY: Record<string, string> = {
  Queued: 'Already queued',
  Deploying: 'Already deploying',
  Undeploying: 'Already undeploying',
};

export class DeploymentInvalidStatusTransition extends AppError {
  override readonly name = 'DeploymentInvalidStatusTransition';
  constructor(status: string) {
    super(
      'DeploymentInvalidStatusTransition',
      `Invalid status change: ${ALREADY[status] ?? `status is ${status}`}`,
      {
        status,
      },
    );
  }
}

export class DeploymentConnectorUpdateFailure extends AppError {
  override readonly name = 'DeploymentConnectorUpdateFailure';
  constructor(reason: string) {
    super('DeploymentConnectorUpdateFailure', `The Deployment's connector could not be updated: ${reason}`);
  }
}

/** The project's one-in-progress lock is held (Slipway's): names who holds it. */
export class DeploymentInProgress extends AppError {
  override readonly name = 'DeploymentInProgress';
  constructor(activeDeploymentId: string, activeStatus: string) {
    super(
      'DeploymentInProgress',
      `Deployment ${activeDeploymentId} is ${activeStatus} in this project; one deployment at a time: wait until it ends.`,
      { activeDeploymentId, activeStatus },
    );
  }
}

/** `If-Match` named another version than the current one. */
export class PreconditionFailed extends AppError {
  override readonly name = 'PreconditionFailed';
  constructor(ifMatch: string, currentVersion: number) {
    super(
      'PreconditionFailed',
      `If-Match ${ifMatch} does not match the current version "${currentVersion}".`,
      { currentVersion },
    );
  }
}

export class DeploymentLogInvalidDate extends AppError {
  override readonly name = 'DeploymentLogInvalidDate';
  constructor(reason: string) {
    super('DeploymentLogInvalidDate', 'Invalid start/end date', { detailedErrorMessage: reason });
  }
}

export class DeploymentLogInvalidPageToken extends AppError {
  override readonly name = 'DeploymentLogInvalidPageToken';
  constructor(pageToken: string) {
    super('DeploymentLogInvalidPageToken', `Invalid page token: ${pageToken}`, { field: 'pageToken' });
  }
}

export class DeploymentApplicationDoesNotExist extends AppError {
  override readonly name = 'DeploymentApplicationDoesNotExist';
  constructor(applicationName: string) {
    super(
      'DeploymentApplicationDoesNotExist',
      `Deployment does not have an application named ${applicationName}.`,
      {
        field: 'applicationName',
      },
    );
  }
}

/** The same `Idempotency-Key` came with another request body within the 24 hours it is kept. */
export class IdempotencyKeyMismatch extends AppError {
  override readonly name = 'IdempotencyKeyMismatch';
  constructor() {
    super(
      'IdempotencyKeyMismatch',
      'This Idempotency-Key was used with another request body in the last 24 hours: use a new key.',
    );
  }
}

/** A request with the same `Idempotency-Key` is still running. */
export class IdempotencyKeyInProgress extends AppError {
  override readonly name = 'IdempotencyKeyInProgress';
  constructor() {
    super(
      'IdempotencyKeyInProgress',
      'A request with this Idempotency-Key is still being processed; retry when it has finished.',
    );
  }
}

/**
 * Workflow failures: raised inside a deploy or undeploy step, they cross Step Functions as
 * `Slipway.<code>` (never retried) and end in an `Error` report entry, not in an HTTP answer.
 */
export class ApplicationBuildFailed extends AppError {
  override readonly name = 'ApplicationBuildFailed';
  constructor(applicationName: string, reason: string) {
    super('ApplicationBuildFailed', `Building application '${applicationName}' failed: ${reason}`, {
      application: applicationName,
    });
  }
}

export class ApplicationHostingFailed extends AppError {
  override readonly name = 'ApplicationHostingFailed';
  constructor(applicationName: string, reason: string) {
    super('ApplicationHostingFailed', `Hosting application '${applicationName}' failed: ${reason}`, {
      application: applicationName,
    });
  }
}

export class ApplicationScriptFailed extends AppError {
  override readonly name = 'ApplicationScriptFailed';
  constructor(applicationName: string, script: string, reason: string) {
    super(
      'ApplicationScriptFailed',
      `Failed during the execution of '${script}' script of application '${applicationName}': ${reason}`,
      { application: applicationName, script },
    );
  }
}

/** The step's operation is no longer the deployment's (canceled, reaped, or replaced): the step does nothing. */
export class DeploymentOperationSuperseded extends AppError {
  override readonly name = 'DeploymentOperationSuperseded';
  constructor(deploymentId: string, operationId: string) {
    super(
      'DeploymentOperationSuperseded',
      `Deployment ${deploymentId} no longer runs operation ${operationId} (it was canceled or finished).`,
    );
  }
}

/** `cancel` of a deployment that is not Queued or Deploying (Slipway's action). */
export class DeploymentNotCancelable extends AppError {
  override readonly name = 'DeploymentNotCancelable';
  constructor(status: string) {
    super(
      'DeploymentNotCancelable',
      `Only a Queued or Deploying deployment can be canceled; this one is ${status}.`,
      { status },
    );
  }
}

/**
 * The BigCommerce dialect's answer while a deployment of the project is in progress: its
 * title is the documented one, word for word (clients match on it).
 */
export class StoreDeploymentInProgress extends AppError {
  override readonly name = 'StoreDeploymentInProgress';
  constructor(activeDeploymentId: string) {
    super(
      'StoreDeploymentInProgress',
      'You already have a deployment in progress for this project. Please wait for it to complete before trying again.',
      { activeDeploymentId },
    );
  }
}

/** A BigCommerce path uuid that is not one: the documented title (`:deploymentUuid should be valid UUID.`). */
export class InvalidStoreUuid extends AppError {
  override readonly name = 'InvalidStoreUuid';
  constructor(parameter: string) {
    super('InvalidStoreUuid', `:${parameter} should be valid UUID.`, { field: parameter });
  }
}

/** BigCommerce's bulk DELETE without its filter: the documented title. */
export class StoreFilterRequired extends AppError {
  override readonly name = 'StoreFilterRequired';
  constructor(filter: string) {
    super('StoreFilterRequired', `'${filter}' must be specified`, { field: filter });
  }
}

/** A project cannot be deleted while one of its deployments is in progress. */
export class StoreProjectBusy extends AppError {
  override readonly name = 'StoreProjectBusy';
  constructor(projectId: string, activeDeploymentId: string) {
    super(
      'StoreProjectBusy',
      `The project '${projectId}' has a deployment in progress (${activeDeploymentId}); delete it once that deployment has ended.`,
      { activeDeploymentId },
    );
  }
}
