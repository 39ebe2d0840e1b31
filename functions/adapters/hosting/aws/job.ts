import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  paginateListSchedules,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { ApplicationHostingFailed } from '../../../core/hosting/errors.ts';
import type { HostedApplication, HostingRequest } from '../../../core/hosting/ports.ts';
import { scheduler } from './clients.ts';
import { toAwsCron } from './cron.ts';
import { ensureFunction } from './functions.ts';
import { groupOf, ignoring, isError, namesOf, TAG_DEPLOYMENT, tagList } from './resources.ts';
import type { AwsHostingContext, StopTarget } from './settings.ts';

/**
 * A job application: its function invoked by an EventBridge Scheduler schedule, in a schedule
 * group per deployment.
 */
export const hostJob = async (
  context: AwsHostingContext,
  request: HostingRequest,
  name: string,
): Promise<HostedApplication> => {
  const { settings } = context;
  const schedule = request.schedule;
  if (!schedule)
    throw new ApplicationHostingFailed(request.applicationName, 'a job application needs a schedule');
  let expression: string;
  try {
    expression = toAwsCron(schedule);
  } catch (error) {
    throw new ApplicationHostingFailed(
      request.applicationName,
      `schedule '${schedule}' cannot run on AWS: ${(error as Error).message}`,
    );
  }
  const { functionArn } = await ensureFunction(context, request, name);
  const groupName = await ensureScheduleGroup(settings.namePrefix, request.deploymentId);
  const input: CreateScheduleCommandInput = {
    Name: name,
    GroupName: groupName,
    ScheduleExpression: expression,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    State: 'ENABLED',
    // What the local scheduler POSTs to the endpoint.
    Target: { Arn: functionArn, RoleArn: settings.schedulerRoleArn, Input: '{}' },
  };
  try {
    await scheduler.send(new CreateScheduleCommand(input));
  } catch (error) {
    if (!isError(error, 'ConflictException')) throw error;
    await scheduler.send(new UpdateScheduleCommand(input));
  }
  return { schedule };
};

/** The deployment's schedule group (its jobs' schedules and its health checks'), made if missing. */
export const ensureScheduleGroup = async (namePrefix: string, deploymentId: string): Promise<string> => {
  const groupName = groupOf(namePrefix, deploymentId);
  await ignoring(
    scheduler.send(
      new CreateScheduleGroupCommand({ Name: groupName, Tags: tagList({ [TAG_DEPLOYMENT]: deploymentId }) }),
    ),
    'ConflictException',
  );
  return groupName;
};

/** Deletes the target's schedules: the whole group when the whole deployment stops. */
export const removeSchedules = async (namePrefix: string, target: StopTarget) => {
  const group = groupOf(namePrefix, target.deploymentId);
  if (target.buildId === undefined && target.exceptBuildId === undefined) {
    // Deleting the group deletes its schedules.
    await ignoring(
      scheduler.send(new DeleteScheduleGroupCommand({ Name: group })),
      'ResourceNotFoundException',
    );
    return;
  }
  const prefix = namesOf(namePrefix, target.deploymentId, target.buildId);
  const keptPrefix =
    target.exceptBuildId === undefined
      ? undefined
      : namesOf(namePrefix, target.deploymentId, target.exceptBuildId);
  const names: string[] = [];
  try {
    for await (const page of paginateListSchedules(
      { client: scheduler },
      { GroupName: group, NamePrefix: prefix },
    ))
      for (const schedule of page.Schedules ?? [])
        if (schedule.Name && !(keptPrefix && schedule.Name.startsWith(keptPrefix))) names.push(schedule.Name);
  } catch (error) {
    if (!isError(error, 'ResourceNotFoundException')) throw error;
  }
  for (const name of names)
    await ignoring(
      scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: group })),
      'ResourceNotFoundException',
    );
};
