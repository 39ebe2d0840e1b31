import middy from '@middy/core';
import { publisherDeps } from '../adapters/publisher-deps.ts';
import {
  asTaskError,
  type CaughtError,
  failureOfCaught,
  INTERNAL_ERROR,
} from '../adapters/sfn/task-errors.ts';
import type { SourceCheckExecution, SourceInspection } from '../core/connector-model.ts';
import { finishCheck, inspectConnectorSource } from '../core/connector-publishing.ts';
import { logger } from '../http/logger.ts';

/** The steps of `statemachine/publish-connector.asl.json` that run in Lambda. */
export type PublisherEvent =
  | { step: 'inspect'; execution: SourceCheckExecution }
  | { step: 'record'; execution: SourceCheckExecution; inspection: SourceInspection }
  | { step: 'fail'; execution: SourceCheckExecution; error: CaughtError };

const run = async (event: PublisherEvent) => {
  switch (event.step) {
    case 'inspect':
      return inspectConnectorSource(publisherDeps, event.execution);
    case 'record':
      await finishCheck(publisherDeps, event.execution, { ok: true, inspection: event.inspection });
      return { recorded: true };
    case 'fail': {
      const failure = failureOfCaught(event.error);
      if (failure.code === 'General') logger.error('publish workflow failed', { caught: event.error });
      await finishCheck(publisherDeps, event.execution, { ok: false, ...failure });
      return { recorded: true };
    }
  }
};

/** Domain errors leave as `Slipway.<code>`, others as a retryable `InternalError` (logged here). */
export const publishStep = async (event: PublisherEvent) => {
  try {
    return await run(event);
  } catch (error) {
    const taskError = asTaskError(error);
    if (taskError.name === INTERNAL_ERROR)
      logger.error('publish step failed', { step: event.step, error: error as Error });
    throw taskError;
  }
};

export const handler = middy<PublisherEvent>({ timeoutEarlyInMillis: 0 }).handler(publishStep);
