import type { HostingRequest } from '../../../core/hosting/ports.ts';
import { sha256Hex } from '../../../core/shared/ids.ts';

/**
 * Every name is derived from the deployment, build and application, so a retried step finds
 * what an earlier attempt made; everything is tagged with them, so `stop` finds it again.
 */

export const TAG_DEPLOYMENT = 'slipway:deployment';
export const TAG_BUILD = 'slipway:build';
export const TAG_TENANT = 'slipway:tenant';
const TAG_APPLICATION = 'slipway:application';

const MAX_NAME = 64;

export const isError = (error: unknown, ...names: string[]) => names.includes((error as Error).name);

/** Runs the call; the named errors (something already there, or already gone) count as done. */
export const ignoring = async <T>(call: Promise<T>, ...names: string[]): Promise<T | undefined> => {
  try {
    return await call;
  } catch (error) {
    if (isError(error, ...names)) return undefined;
    throw error;
  }
};

/**
 * Eight hex characters of the id's hash: deployment ids are UUIDv7, whose leading characters
 * are a timestamp shared by every deployment created in the same minute.
 */
const short = (id: string) => sha256Hex(id).slice(0, 8);

/** `name` when it is a valid name of at most 64 characters; otherwise cut, with a hash of the whole. */
const fitName = (name: string): string => {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-');
  if (safe === name && name.length <= MAX_NAME) return name;
  return `${safe.slice(0, MAX_NAME - 9)}-${sha256Hex(name).slice(0, 8)}`;
};

/** What every resource of a deployment's (and build's) names starts with. */
export const namesOf = (namePrefix: string, deploymentId: string, buildId?: string) =>
  `${namePrefix}-${short(deploymentId)}-${buildId === undefined ? '' : `${short(buildId)}-`}`;

/** The name of an application's function, and of its topic and queue for an event application. */
export const nameOf = (namePrefix: string, r: HostingRequest) =>
  fitName(`${namesOf(namePrefix, r.deploymentId, r.buildId)}${r.applicationName}`);

/** The schedule group holding a deployment's jobs. */
export const groupOf = (namePrefix: string, deploymentId: string) => fitName(`${namePrefix}-${deploymentId}`);

/**
 * The role a deployment's functions run as: named with the whole deployment id (IAM names are
 * account-wide, so no hash that two deployments could share), under the path the hosting
 * functions may create, pass and delete roles in (`rolePathOf`).
 */
export const roleNameOf = (namePrefix: string, deploymentId: string) =>
  fitName(`${namePrefix}-${deploymentId}`);

/** The IAM path of the deployments' roles; the stack grants the hosting functions this path only. */
export const rolePathOf = (namePrefix: string) => `/${namePrefix}-hosted/`;

export const tagsOf = (r: HostingRequest): Record<string, string> => ({
  [TAG_DEPLOYMENT]: r.deploymentId,
  [TAG_BUILD]: r.buildId,
  [TAG_APPLICATION]: r.applicationName,
});

export const tagList = (tags: Record<string, string>) =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
