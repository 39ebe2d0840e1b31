/** The one table that maps error codes to HTTP statuses. Codes not listed are internal faults (500). */
export const STATUS_BY_CODE: Readonly<Record<string, number>> = {
  InvalidJsonInput: 400,
  InvalidQueryParam: 400,
  InvalidPathParam: 400,
  invalid_scope: 400,
  unsupported_grant_type: 400,
  AuthenticationError: 401,
  invalid_client: 401,
  AuthorizationError: 403,
  ResourceNotFound: 404,
  MethodNotAllowed: 405,
  DuplicateField: 409,
  ConcurrentModification: 409,
  PayloadTooLarge: 413,
  UploadTooLarge: 400,
  UploadNotReady: 400,
  UploadExpired: 400,
  UploadContentInvalid: 400,
  UploadAlreadyConsumed: 409,
  UnsupportedMediaType: 415,
};

export const statusForCode = (code: string): number => STATUS_BY_CODE[code] ?? 500;
