/**
 * How the dispatcher is asked to run soon: an asynchronous invocation of its function when the
 * stack names one (AWS), the in-process signal of `npm start` otherwise.
 */
import { lambdaDispatchTrigger, localDispatchTrigger } from '../adapters/webhooks/trigger.ts';
import { config } from '../config.ts';
import type { DispatchTrigger } from '../core/webhooks/ports.ts';

const lambda = lambdaDispatchTrigger(() => config.webhookDispatcherFunction ?? '');

export const dispatchTrigger: DispatchTrigger = {
  dispatchSoon: () => (config.webhookDispatcherFunction ? lambda : localDispatchTrigger).dispatchSoon(),
};
