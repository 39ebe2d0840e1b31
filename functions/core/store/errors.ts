import { AppError } from '../shared/errors.ts';

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

/** A promote of a deployment that cannot serve its project's address (Slipway's extension). */
export class StorePromoteNotAllowed extends AppError {
  override readonly name = 'StorePromoteNotAllowed';
  constructor(reason: string) {
    super('StorePromoteNotAllowed', `This deployment cannot be promoted: ${reason}.`);
  }
}
