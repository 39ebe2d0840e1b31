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

/** commercetools' InvalidField: a well-formed field whose value names nothing that exists. */
export class InvalidField extends AppError {
  override readonly name = 'InvalidField';
  constructor(field: string, invalidValue: string | number, reason: string) {
    super('InvalidField', `The value '${invalidValue}' is not valid for field '${field}': ${reason}`, {
      field,
      invalidValue,
    });
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

/*
 * Deployment errors. Messages follow Connect's documented texts, so clients matching on them
 * keep working; details name what to fix.
 */

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

/** The request's headers are over the limit (API Gateway's, or Node's 16 KB locally). */
export class RequestHeadersTooLarge extends AppError {
  override readonly name = 'RequestHeadersTooLarge';
  constructor() {
    super('RequestHeadersTooLarge', 'The request headers are too large.');
  }
}

/** The request is not well-formed HTTP. */
export class InvalidRequest extends AppError {
  override readonly name = 'InvalidRequest';
  constructor(message: string) {
    super('InvalidRequest', message);
  }
}
