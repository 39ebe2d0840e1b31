import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { healthCheckOf } from '../../../core/hosting/health.ts';
import type { ProbeTarget } from '../../../core/hosting/health-probe.ts';
import type { HostingRequest } from '../../../core/hosting/ports.ts';
import { scheduler } from './clients.ts';
import { ensureScheduleGroup } from './job.ts';
import { isError } from './resources.ts';
import type { AwsHostingContext } from './settings.ts';

/**
 * Health checks on AWS: an EventBridge Scheduler schedule per checked application invokes the
 * `health-probe` function once a minute, the shortest rate Scheduler offers (an
 * `intervalSeconds` under 60 is checked every 60 s on AWS); the probe reaches the application
 * through Lambda Invoke (`./health-prober.ts`).
 */

/** EventBridge Scheduler's shortest rate. */
const PROBE_RATE = 'rate(1 minute)';
const PROBE_INTERVAL_SECONDS = 60;

/**
 * Schedules the probe of a service or event application that declares a health check, in the
 * deployment's schedule group under the name of its function (application names are unique in
 * a build, and only jobs have schedules of their own, so the names never meet): `stop` removes
 * it with the application's other schedules. Nothing when the stack has no probe.
 */
export const scheduleHealthProbe = async (
  context: AwsHostingContext,
  request: HostingRequest,
  name: string,
): Promise<void> => {
  const { settings } = context;
  const check = healthCheckOf(request);
  if (!check || !settings.healthProbeArn) return;
  const target: ProbeTarget = {
    projectId: request.projectId,
    deploymentId: request.deploymentId,
    buildId: request.buildId,
    applicationName: request.applicationName,
    target: name,
    check: { ...check, intervalSeconds: Math.max(check.intervalSeconds, PROBE_INTERVAL_SECONDS) },
  };
  const input: CreateScheduleCommandInput = {
    Name: name,
    GroupName: await ensureScheduleGroup(settings.namePrefix, request.deploymentId),
    ScheduleExpression: PROBE_RATE,
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    Description: `Slipway: the health check of ${request.applicationName}`.slice(0, 512),
    // A missed check is not worth a late one: the next minute's comes anyway.
    Target: {
      Arn: settings.healthProbeArn,
      RoleArn: settings.schedulerRoleArn,
      Input: JSON.stringify(target),
      RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
    },
  };
  try {
    await scheduler.send(new CreateScheduleCommand(input));
  } catch (error) {
    if (!isError(error, 'ConflictException')) throw error;
    await scheduler.send(new UpdateScheduleCommand(input));
  }
};
