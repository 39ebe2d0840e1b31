import middy from '@middy/core';
import { type DispatchReport, dispatchDue, resumeDeliveries } from '../core/webhooks/dispatcher.ts';
import { logger } from '../http/logger.ts';
import { dispatcherDeps } from '../wiring/webhooks-dispatch.ts';

/**
 * The webhook dispatcher (functions/core/webhooks/dispatcher.ts): every minute on AWS (a
 * schedule) and after each fan-out, ping and retry (an asynchronous invocation); on an
 * interval and on the in-process signal in `npm start`, which at start-up asks it to resume
 * (`resume: true`: the deliveries an earlier run held are due at once).
 */
export const handler = middy<{ resume?: unknown } | undefined, DispatchReport>({
  timeoutEarlyInMillis: 0,
}).handler(async (event) => {
  const report =
    event?.resume === true ? await resumeDeliveries(dispatcherDeps) : await dispatchDue(dispatcherDeps);
  if (report.interrupted > 0) logger.warn('webhook deliveries interrupted', { ...report });
  else if (report.attempted > 0) logger.info('webhook deliveries attempted', { ...report });
  return report;
});
