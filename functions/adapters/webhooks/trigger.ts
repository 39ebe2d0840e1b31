import { Logger } from '@aws-lambda-powertools/logger';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { DispatchTrigger } from '../../core/webhooks/ports.ts';
import { localEventBus } from '../events/local-bus.ts';

const logger = new Logger({ serviceName: 'slipway' });

/** The in-process signal `npm start` runs its dispatcher on (functions/local/webhooks.ts). */
export const WEBHOOKS_DUE = 'webhooks-due';

/** `npm start`: the local stack hears the signal and runs the dispatcher in this process. */
export const localDispatchTrigger: DispatchTrigger = {
  async dispatchSoon() {
    localEventBus().emit(WEBHOOKS_DUE);
  },
};

let lambda: LambdaClient | undefined;

/**
 * AWS: an asynchronous invocation of the dispatcher function, so a first attempt goes out
 * without waiting for its one-minute schedule. A failed invocation is only logged: the
 * schedule runs the dispatcher anyway, and the deliveries are in the table.
 */
export const lambdaDispatchTrigger = (functionName: () => string): DispatchTrigger => ({
  async dispatchSoon() {
    lambda ??= new LambdaClient({});
    try {
      await lambda.send(
        new InvokeCommand({ FunctionName: functionName(), InvocationType: 'Event', Payload: '{}' }),
      );
    } catch (error) {
      logger.warn('webhook dispatcher not invoked; its schedule will run it', {
        error: (error as Error).name,
      });
    }
  },
});
