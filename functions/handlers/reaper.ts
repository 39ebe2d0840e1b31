import middy from '@middy/core';
import { reapStuckOperations } from '../core/deployments/reaper.ts';
import { logger } from '../http/logger.ts';
import { reaperDeps } from '../wiring/reaper.ts';

/**
 * The reaper, on a schedule (EventBridge Scheduler on AWS, an interval in `npm start`):
 * finishes operations whose workflow died. See `functions/core/deployments/reaper.ts`.
 */
export const handler = middy<{ graceSeconds?: unknown } | undefined>().handler(async (event) => {
  // The schedule sends nothing; a start-up pass may shorten the grace given to fresh locks.
  const grace = event?.graceSeconds;
  const deps =
    typeof grace === 'number' && Number.isInteger(grace) && grace >= 0
      ? { ...reaperDeps, settings: { graceMs: grace * 1000 } }
      : reaperDeps;
  const report = await reapStuckOperations(deps);
  if (report.finished.length > 0 || report.released.length > 0)
    logger.warn('reaper finished operations', { ...report });
  return report;
});
