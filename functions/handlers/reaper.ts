import middy from '@middy/core';
import { reapStuckOperations } from '../core/deployments/reaper.ts';
import { pruneKeptBuilds } from '../core/deployments/retention.ts';
import { logger } from '../http/logger.ts';
import { reaperDeps, retentionDeps } from '../wiring/reaper.ts';

/**
 * The reaper, on a schedule (EventBridge Scheduler on AWS, an interval in `npm start`):
 * finishes operations whose workflow died (`functions/core/deployments/reaper.ts`), then
 * removes the files of builds past each deployment's retention (`retention.ts`).
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
  const retention = await pruneKeptBuilds(retentionDeps);
  if (retention.errors.length > 0)
    logger.warn('build retention left deployments for the next run', retention);
  return { ...report, retention };
});
