import middy from '@middy/core';
import { type ProbeTarget, ProbeTargetSchema, probeApplicationHealth } from '../core/hosting/health-probe.ts';
import { logger } from '../http/logger.ts';
import { healthProbeDeps } from '../wiring/health-probe.ts';

/**
 * On AWS only: one health check of one hosted application, invoked once a minute by the
 * application's EventBridge Scheduler schedule with what to check as its input
 * (`functions/adapters/hosting/aws/health.ts`). See `functions/core/hosting/health-probe.ts`.
 */
export const onSchedule = async (input: unknown) => {
  const target: ProbeTarget = ProbeTargetSchema.parse(input);
  const verdict = await probeApplicationHealth(healthProbeDeps, target);
  if (verdict !== 'none' && verdict !== 'skipped')
    logger.info('health check', {
      deploymentId: target.deploymentId,
      buildId: target.buildId,
      applicationName: target.applicationName,
      verdict,
    });
  return { verdict };
};

export const handler = middy<unknown>({ timeoutEarlyInMillis: 0 }).handler(onSchedule);
