import { AppError } from '../core/shared/errors.ts';
import { isDependencyOutage } from '../http/outages.ts';

/**
 * How errors cross Step Functions. A Lambda task's error reaches Retry and Catch as its
 * `errorType` (the error's `name`) with `{errorType, errorMessage}` as the cause. A domain
 * error leaves the task as `Slipway.<code>` with its message, which was written for clients;
 * anything else as `InternalError`, which definitions retry, without its detail (logged).
 */
export const DOMAIN_ERROR_PREFIX = 'Slipway.';
export const INTERNAL_ERROR = 'InternalError';

/**
 * A dependency that is down or stalled: definitions retry it for minutes, with backoff, so a
 * step waits out a restart of the database rather than failing the deployment.
 */
export const DEPENDENCY_UNAVAILABLE = 'DependencyUnavailable';

export const asTaskError = (error: unknown): Error => {
  const domain = error instanceof AppError;
  const taskError = new Error(domain ? error.message : 'An internal error occurred; it has been logged.');
  taskError.name = domain
    ? `${DOMAIN_ERROR_PREFIX}${error.code}`
    : isDependencyOutage(error)
      ? DEPENDENCY_UNAVAILABLE
      : INTERNAL_ERROR;
  return taskError;
};

/** What a Catch puts at its ResultPath. */
export interface CaughtError {
  Error?: string;
  Cause?: string;
}

const messageOf = (cause: string | undefined): string | undefined => {
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : undefined;
  } catch {
    return undefined;
  }
};

/**
 * A caught error as a report can show it: a domain error with its own message; anything else
 * (a timeout, an SDK or runtime fault) as `General`, without internal detail.
 */
export const failureOfCaught = (caught: CaughtError): { code: string; message: string } => {
  const name = caught.Error ?? 'States.TaskFailed';
  const message = messageOf(caught.Cause);
  if (name.startsWith(DOMAIN_ERROR_PREFIX) && message !== undefined)
    return { code: name.slice(DOMAIN_ERROR_PREFIX.length), message };
  if (name === 'States.Timeout')
    return { code: 'General', message: 'A step of the workflow timed out; try again.' };
  return {
    code: 'General',
    message: `An internal error (${name}) stopped the workflow; the server log has the detail. Try again.`,
  };
};
