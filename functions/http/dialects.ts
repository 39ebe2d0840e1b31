import type { AppError } from '../core/shared/errors.ts';

/**
 * The two public dialects differ in their error envelope (and later in their success
 * shapes). Which one a request speaks is decided by its path alone, so the gateway,
 * the fallback route and every handler agree.
 */
export type Dialect = 'connect' | 'bigcommerce';

export const dialectForPath = (path: string): Dialect =>
  path.startsWith('/stores/') ? 'bigcommerce' : 'connect';

const BIGCOMMERCE_ERROR_TYPE = 'https://developer.bigcommerce.com/api-docs/getting-started/api-status-codes';

/** OAuth2 errors also carry the RFC 6749 fields so standard OAuth clients can read them. */
const OAUTH_CODES = new Set([
  'invalid_client',
  'invalid_scope',
  'unsupported_grant_type',
  'invalid_request',
  'unauthorized_client',
]);

/** `{statusCode, message, errors:[{code, message, …details}]}` as commercetools sends it. */
const connectErrorBody = (status: number, error: AppError): Record<string, unknown> => ({
  statusCode: status,
  message: error.message,
  errors: [{ code: error.code, message: error.message, ...definedOnly(error.details) }],
  ...(OAUTH_CODES.has(error.code) ? { error: error.code, error_description: error.message } : {}),
});

/**
 * Connect calls a body that is JSON but not of the right shape "not valid JSON" too
 * (`InvalidJsonInput` with the field); BigCommerce's clients read the title, so it says what it is.
 */
const bigCommerceTitle = (error: AppError): string =>
  error.code === 'InvalidJsonInput' && typeof error.details.field === 'string'
    ? `The request body is not valid: ${String(error.details.detailedErrorMessage ?? error.details.field)}`
    : error.message;

/** `{status, title, type, errors}` as BigCommerce sends it, plus the Slipway `code` and `detail`. */
const bigCommerceErrorBody = (status: number, error: AppError): Record<string, unknown> => {
  const field = error.details.field;
  return {
    status,
    title: bigCommerceTitle(error),
    type: BIGCOMMERCE_ERROR_TYPE,
    errors: typeof field === 'string' ? { [field]: error.details.detailedErrorMessage ?? error.message } : {},
    code: error.code,
    ...(typeof error.details.detailedErrorMessage === 'string'
      ? { detail: error.details.detailedErrorMessage }
      : {}),
  };
};

const definedOnly = (details: AppError['details']) =>
  Object.fromEntries(Object.entries(details).filter(([, v]) => v !== undefined));

export const errorBody = (dialect: Dialect, status: number, error: AppError): Record<string, unknown> =>
  dialect === 'bigcommerce' ? bigCommerceErrorBody(status, error) : connectErrorBody(status, error);
