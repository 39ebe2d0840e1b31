import { Cron } from 'croner';
import { normalisePath } from '../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { startApplication } from './application-process.ts';
import { causeOf, hostingFailed } from './errors.ts';
import type { LaunchContext, Launched, Say } from './types.ts';

/**
 * Starts a job application and calls its endpoint on its cron schedule; it is reachable as its
 * schedule. A missing or invalid schedule fails before any process is started.
 */
export const launchJob = async (request: HostingRequest, context: LaunchContext): Promise<Launched> => {
  checkSchedule(request);
  const { port, process } = await startApplication(request, context);
  return {
    port,
    process,
    cron: resumeSchedule(request, port, context.say),
    result: { schedule: request.schedule ?? '' },
  };
};

/** Calls the job on `port` on its schedule (a job back from standby gets its schedule again). */
export const resumeSchedule = (request: HostingRequest, port: number, say: Say): Cron =>
  scheduleRuns(
    request.schedule ?? '',
    `http://127.0.0.1:${port}${normalisePath(request.endpoint, '/')}`,
    say,
  );

const checkSchedule = (request: HostingRequest): void => {
  if (!request.schedule) throw hostingFailed(request, 'a job application needs a schedule');
  try {
    new Cron(request.schedule, { paused: true, mode: '5-or-6-parts' }).stop();
  } catch (error) {
    throw hostingFailed(request, `invalid schedule '${request.schedule}': ${(error as Error).message}`);
  }
};

/** Calls the job's endpoint on its schedule (one run at a time); each outcome is an output line. */
const scheduleRuns = (schedule: string, url: string, say: Say): Cron =>
  new Cron(schedule, { protect: true, mode: '5-or-6-parts' }, async () => {
    const firedAt = new Date().toISOString();
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      await response.arrayBuffer();
      say(
        `[slipway] job run at ${firedAt}: POST ${url} answered ${response.status}`,
        response.ok ? 'stdout' : 'stderr',
      );
    } catch (error) {
      say(`[slipway] job run at ${firedAt}: POST ${url} failed: ${causeOf(error)}`, 'stderr');
    }
  });
