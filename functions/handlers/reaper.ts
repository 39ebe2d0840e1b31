import middy from '@middy/core';
import { reaperDeps } from '../adapters/reaper-deps.ts';
import { reapStuckOperations } from '../core/reaper.ts';
import { logger } from '../http/logger.ts';

/**
 * The reaper, on a schedule (EventBridge Scheduler on AWS, an interval in `npm start`):
 * finishes operations whose workflow died. See `functions/core/reaper.ts`.
 */
export const handler = middy().handler(async () => {
  const report = await reapStuckOperations(reaperDeps);
  if (report.finished.length > 0 || report.released.length > 0)
    logger.warn('reaper finished operations', { ...report });
  return report;
});
