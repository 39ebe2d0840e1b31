import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../core/shared/errors.ts';
import { type Dialect, errorBody } from './dialects.ts';
import { statusForCode } from './error-status.ts';
import { isDependencyOutage, RETRY_AFTER_SECONDS } from './outages.ts';

export type HttpResult = APIGatewayProxyStructuredResultV2;

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResult => ({
  statusCode,
  headers: { ...JSON_HEADERS, ...headers },
  body: JSON.stringify(body),
});

/** An internal fault is reported without its message or stack; the log has the detail. */
const internalError = new AppError('General', 'An internal error occurred. It has been logged.');

/** A dependency that is down or stalled: the request may succeed if tried again shortly. */
const unavailable = new AppError(
  'ServiceUnavailable',
  `A service Slipway depends on is unavailable; try again in ${RETRY_AFTER_SECONDS} seconds.`,
);

/** Turns any error into the dialect's envelope. Returns whether it was an internal fault. */
export const errorResponse = (
  dialect: Dialect,
  error: unknown,
): { result: HttpResult; internal: boolean } => {
  const outage = !(error instanceof AppError) && isDependencyOutage(error);
  const appError = error instanceof AppError ? error : outage ? unavailable : internalError;
  const status = statusForCode(appError.code);
  const headers: Record<string, string> = {};
  if (status === 503) headers['retry-after'] = String(RETRY_AFTER_SECONDS);
  if (status === 429 && typeof appError.details.retryAfterSeconds === 'number')
    headers['retry-after'] = String(appError.details.retryAfterSeconds);
  if (appError.code === 'MethodNotAllowed' && typeof appError.details.allowed === 'string') {
    headers.allow = appError.details.allowed;
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="slipway"';
  // An outage is logged too (as `internal`): the operator wants to know a dependency went away.
  return { result: json(status, errorBody(dialect, status, appError), headers), internal: status >= 500 };
};
