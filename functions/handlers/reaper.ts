import middy from '@middy/core';
import { reapStuckOperations } from '../core/deployments/reaper.ts';
import { logger } from '../http/logger.ts';
import { reaperDeps } from '../wiring/reaper.ts';

/**
 * The reaper, on a schedule (EventBridge Scheduler on AWS, an interval in `npm start`):
 * finishes operations whose workflow died. See `functions/core/deployments/reaper.ts`.
 */
export const handler = middy().handler(async () => {
  const report = await reapStuckOperations(reaperDeps);
  if (report.finished.length > 0 || report.released.length > 0)
    logger.warn('reaper finished operations', { ...report });
  return report;
});
