import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { openWith, sealWith } from '../../adapters/crypto/aes-gcm.ts';
import type { HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';
import type { Hosted } from './types.ts';

/**
 * The registry of what is hosted (`<dataDir>/hosting/registry.json`), environments sealed, so
 * a restart of `npm start` brings everything back.
 */

const REGISTRY_VERSION = 1;

export interface RegistryRecord {
  request: Omit<HostingRequest, 'environment' | 'secretValues'>;
  sealed: string;
  port?: number;
  pid?: number;
  result: HostedApplication;
  hostedAt: number;
}

type ApplicationRef = { deploymentId: string; buildId: string; applicationName: string };

/** One hosted application of one build: the key of the registry. */
export const keyOf = (r: ApplicationRef) => `${r.deploymentId}/${r.buildId}/${r.applicationName}`;

const aadOf = (r: ApplicationRef) => `hosting:${r.deploymentId}:${r.buildId}:${r.applicationName}`;

/** `{ environment, secretValues }` of `request`, sealed with `key` for the registry. */
export const sealSecrets = (key: Buffer, request: HostingRequest): string =>
  sealWith(
    key,
    JSON.stringify({ environment: request.environment, secretValues: request.secretValues }),
    aadOf(request),
  );

/**
 * The entry `record` was written from, its environment opened with `key` (throws when it does
 * not open); nothing runs for it yet.
 */
export const openRecord = (key: Buffer, record: RegistryRecord): Hosted => {
  const secrets: { environment: Record<string, string>; secretValues?: string[] } = JSON.parse(
    openWith(key, record.sealed, aadOf(record.request)),
  );
  const entry: Hosted = {
    request: { ...record.request, ...secrets },
    sealed: record.sealed,
    result: record.result,
    hostedAt: record.hostedAt,
  };
  if (record.port !== undefined) entry.port = record.port;
  return entry;
};

export const readRegistry = (file: string): RegistryRecord[] => {
  if (!existsSync(file)) return [];
  const registry = JSON.parse(readFileSync(file, 'utf8')) as {
    version: number;
    applications: RegistryRecord[];
  };
  if (registry.version !== REGISTRY_VERSION)
    throw new Error(`${file}: unknown registry version ${registry.version}`);
  return registry.applications;
};

/** Rewrites the registry atomically (a crash leaves the old or the new file, never half of one). */
export const writeRegistry = (file: string, hosted: Iterable<Hosted>): void => {
  const applications: RegistryRecord[] = [...hosted].map((entry) => {
    const { environment: _environment, secretValues: _secretValues, ...request } = entry.request;
    const record: RegistryRecord = {
      request,
      sealed: entry.sealed,
      result: entry.result,
      hostedAt: entry.hostedAt,
    };
    if (entry.port !== undefined) record.port = entry.port;
    if (entry.process) record.pid = entry.process.pid;
    return record;
  });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  writeFileSync(temporary, JSON.stringify({ version: REGISTRY_VERSION, applications }, null, 2), {
    mode: 0o600,
  });
  renameSync(temporary, file);
};

/** What is hosted for one entry, without its environment (the HTTP API's `GET /applications`). */
export const describeHosted = ({ request, result, port, process: proc, hostedAt }: Hosted) => ({
  projectId: request.projectId,
  deploymentId: request.deploymentId,
  buildId: request.buildId,
  applicationName: request.applicationName,
  applicationType: request.applicationType,
  bundle: request.bundle,
  ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
  ...(request.healthCheckPath !== undefined ? { healthCheckPath: request.healthCheckPath } : {}),
  ...(request.schedule !== undefined ? { schedule: request.schedule } : {}),
  ...(port !== undefined ? { port } : {}),
  ...(proc ? { pid: proc.pid } : {}),
  running: request.applicationType === 'assets' || proc?.alive === true,
  hostedAt: new Date(hostedAt).toISOString(),
  result,
});

/** The entry hosted last of those that match: a deployment's newest build serves it. */
export const newestOf = (entries: Iterable<Hosted>, predicate: (entry: Hosted) => boolean) => {
  let found: Hosted | undefined;
  for (const entry of entries)
    if (predicate(entry) && (!found || entry.hostedAt >= found.hostedAt)) found = entry;
  return found;
};
