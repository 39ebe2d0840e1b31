import { config } from '../../config.ts';
import { ApplicationHostingFailed } from '../../core/errors.ts';
import type { ApplicationHosting } from '../../core/ports.ts';
import { localHosting } from './local-hosting.ts';

/**
 * Until the AWS hosting adapter lands (issue 6: Lambda, SQS/SNS, EventBridge Scheduler),
 * a server without the local hosting service refuses to host and has nothing to stop.
 */
const unconfigured: ApplicationHosting = {
  async host(request) {
    throw new ApplicationHostingFailed(
      request.applicationName,
      'this server has no hosting runtime configured',
    );
  },
  async stop() {},
};

let chosen: ApplicationHosting | undefined;

/** The hosting adapter configuration names: the local service of `npm start` when its URL is set. */
export const configuredHosting: ApplicationHosting = {
  host: (request) => pick().host(request),
  stop: (target) => pick().stop(target),
};

const pick = (): ApplicationHosting => {
  chosen ??= config.localHostingUrl
    ? localHosting(config.localHostingUrl, config.localHostingToken)
    : unconfigured;
  return chosen;
};
