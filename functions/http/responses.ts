import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from '../core/shared/errors.ts';
import { type Dialect, errorBody } from './dialects.ts';
import { statusForCode } from './error-status.ts';

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

/** Turns any error into the dialect's envelope. Returns whether it was an internal fault. */
export const errorResponse = (
  dialect: Dialect,
  error: unknown,
): { result: HttpResult; internal: boolean } => {
  const appError = error instanceof AppError ? error : internalError;
  const status = statusForCode(appError.code);
  const headers: Record<string, string> = {};
  if (appError.code === 'MethodNotAllowed' && typeof appError.details.allowed === 'string') {
    headers.allow = appError.details.allowed;
  }
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="slipway"';
  return { result: json(status, errorBody(dialect, status, appError), headers), internal: status >= 500 };
};
