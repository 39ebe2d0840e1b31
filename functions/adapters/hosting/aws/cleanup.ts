import { paginateListFunctions } from '@aws-sdk/client-lambda';
import { paginateGetResources } from '@aws-sdk/client-resource-groups-tagging-api';
import { lambda, tagging } from './clients.ts';
import { namesOf, TAG_BUILD, TAG_DEPLOYMENT } from './resources.ts';
import type { StopTarget } from './settings.ts';

const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** The ARN of `service`'s resource `name` in the account and region of `arn`. */
const siblingArn = (arn: string, service: string, name: string): string | undefined => {
  const [scheme, partition, , region, account] = arn.split(':');
  if (scheme !== 'arn' || !partition || !region || !account) return undefined;
  return `arn:${partition}:${service}:${region}:${account}:${name}`;
};

/** What `stop` removes: functions by name (with ARN), topics by ARN, queues by name. */
export const findResources = async (namePrefix: string, target: StopTarget) => {
  const kept = (build: string | undefined) =>
    target.exceptBuildId !== undefined && build === target.exceptBuildId;
  const functions = new Map<string, string>();
  const topics = new Set<string>();
  const queues = new Set<string>();
  const tagFilters = [
    { Key: TAG_DEPLOYMENT, Values: [target.deploymentId] },
    ...(target.buildId === undefined ? [] : [{ Key: TAG_BUILD, Values: [target.buildId] }]),
  ];
  for await (const page of paginateGetResources(
    { client: tagging },
    { TagFilters: tagFilters, ResourceTypeFilters: ['lambda:function', 'sns', 'sqs'] },
  ))
    for (const resource of page.ResourceTagMappingList ?? []) {
      const arn = resource.ResourceARN ?? '';
      if (kept(resource.Tags?.find((t) => t.Key === TAG_BUILD)?.Value)) continue;
      const service = arn.split(':')[2];
      if (service === 'lambda') functions.set(lastSegment(arn), arn);
      else if (service === 'sns') topics.add(arn);
      else if (service === 'sqs') queues.add(lastSegment(arn));
    }
  // The tagging API is eventually consistent: a function made seconds ago (a build failing
  // while hosting) may be missing from it, but never from Lambda's own list.
  const prefix = namesOf(namePrefix, target.deploymentId, target.buildId);
  const keptPrefix =
    target.exceptBuildId === undefined
      ? undefined
      : namesOf(namePrefix, target.deploymentId, target.exceptBuildId);
  for await (const page of paginateListFunctions({ client: lambda }, {}))
    for (const fn of page.Functions ?? []) {
      const name = fn.FunctionName ?? '';
      if (!name.startsWith(prefix) || (keptPrefix && name.startsWith(keptPrefix))) continue;
      functions.set(name, fn.FunctionArn ?? '');
    }
  // An event application's topic and queue share its function's name.
  for (const [name, arn] of functions) {
    const topic = siblingArn(arn, 'sns', name);
    if (topic) topics.add(topic);
    queues.add(name);
  }
  return { functions, topics, queues };
};
