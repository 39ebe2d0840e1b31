import middy from '@middy/core';
import { logger } from '../http/logger.ts';
import { asTaskError, DEPENDENCY_UNAVAILABLE, INTERNAL_ERROR } from './task-errors.ts';

/**
 * A Lambda step of a state machine: runs `run`, answers `{}` for nothing, and lets errors
 * leave as task errors (`Slipway.<code>`, or a retryable `InternalError` logged here).
 */
export const workflowTask = <E extends { step?: string }>(
  what: string,
  run: (event: E) => Promise<unknown>,
) => {
  const step = async (event: E) => {
    try {
      return (await run(event)) ?? {};
    } catch (error) {
      const taskError = asTaskError(error);
      if (taskError.name === INTERNAL_ERROR)
        logger.error(`${what} failed`, { step: event.step, error: error as Error });
      else if (taskError.name === DEPENDENCY_UNAVAILABLE)
        logger.warn(`${what} waits for a dependency`, { step: event.step, error: error as Error });
      throw taskError;
    }
  };
  return { step, handler: middy<E>({ timeoutEarlyInMillis: 0 }).handler(step) };
};
