import { AppError } from '../shared/errors.ts';

/** connect.yaml is there but does not follow the specification; the message lists every finding. */
export class ConnectorSpecificationFileNotValid extends AppError {
  override readonly name = 'ConnectorSpecificationFileNotValid';
  constructor(findings: string) {
    super('ConnectorSpecificationFileNotValid', `connect.yaml is not valid:\n${findings}`, {
      detailedErrorMessage: findings,
    });
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
