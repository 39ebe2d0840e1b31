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
