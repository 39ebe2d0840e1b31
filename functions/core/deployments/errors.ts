import { AppError } from '../shared/errors.ts';

type ConfigurationKind = 'secret' | 'standard';

const ALREADY: Record<string, string> = {
  Queued: 'Already queued',
  Deploying: 'Already deploying',
  Undeploying: 'Already undeploying',
};

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
 * Connect's DeploymentRollbackNotAllowed (23 October 2026): the rollback cannot start now, or
 * cannot restore that revision. Connect published the name only; Slipway answers 400, as
 * Connect does every other Deployment* refusal, with the reason in the message.
 */
export class DeploymentRollbackNotAllowed extends AppError {
  override readonly name = 'DeploymentRollbackNotAllowed';
  constructor(reason: string) {
    super('DeploymentRollbackNotAllowed', `Rollback is not allowed: ${reason}`);
  }
}
