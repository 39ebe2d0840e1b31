/**
 * The rules of deployments as pure functions: which statuses allow which operation, and how
 * configuration values are checked against what the connector declares and merged on redeploy.
 */
import type { ConfigurationKey, ConfigurationSpec } from '../connectors/spec.ts';
import type { AnnouncedStatus, DeploymentStatusChanged } from '../shared/domain-events.ts';
import { PreconditionFailed } from '../shared/errors.ts';
import {
  DeploymentEmptyRequiredGlobalConfigurationKey,
  DeploymentInvalidStatusTransition,
  DeploymentMissingApplicationConfigurationKey,
  DeploymentMissingGlobalConfigurationKey,
  DeploymentNotCancelable,
  DeploymentUnknownApplicationConfiguration,
  DeploymentUnknownApplicationConfigurationKey,
  DeploymentUnknownGlobalConfigurationKey,
} from './errors.ts';
import type {
  ConfigurationValue,
  Deployment,
  DeploymentConnector,
  DeploymentEvent,
  DeploymentExecution,
  DeploymentReportEntry,
  DeploymentStatus,
  ProjectLock,
} from './model.ts';
import type { ApplicationConfigurationInput, ConfigurationInput } from './schemas.ts';

/** The workflow input of the operation a lock holds. */
export const executionOf = (d: Pick<Deployment, 'tenant'>, lock: ProjectLock): DeploymentExecution => ({
  tenant: d.tenant,
  projectId: lock.projectId,
  deploymentId: lock.deploymentId,
  operation: lock.operation,
  operationId: lock.operationId,
});

/** The statuses in which a deployment still runs an operation of each kind. */
export const IN_PROGRESS: Readonly<Record<ProjectLock['operation'], readonly DeploymentStatus[]>> = {
  deploy: ['Queued', 'Deploying'],
  undeploy: ['Undeploying'],
};

/** The deployment's build report with `entries` added after what it holds. */
export const withReportEntries = (d: Deployment, entries: DeploymentReportEntry[]) => ({
  details: {
    build: { id: d.details.build.id, report: { entries: [...d.details.build.report.entries, ...entries] } },
  },
});

/** The domain event a status change publishes. */
export const statusChanged = (
  d: Pick<Deployment, 'id' | 'tenant' | 'projectKey' | 'key' | 'version' | 'rollbackRevision'>,
  operationId: string,
  status: DeploymentEvent['status'],
  at: string,
  from?: AnnouncedStatus,
): DeploymentStatusChanged => ({
  type: 'DeploymentStatusChanged',
  tenant: d.tenant,
  projectKey: d.projectKey,
  deploymentId: d.id,
  ...(d.key === undefined ? {} : { deploymentKey: d.key }),
  operationId,
  status,
  ...(from === undefined ? {} : { from }),
  version: d.version,
  ...(d.rollbackRevision === undefined ? {} : { rollbackRevision: d.rollbackRevision }),
  at,
});

/** Redeploy and delete start from a resting state only (Connect's rule for redeploy). */
const RESTING: ReadonlySet<DeploymentStatus> = new Set(['Draft', 'Deployed', 'Failed', 'UndeployFailed']);

export const assertResting = (deployment: Deployment): void => {
  if (!RESTING.has(deployment.status)) throw new DeploymentInvalidStatusTransition(deployment.status);
};

/** Only what a deploy workflow still works on can be canceled. */
export const assertCancelable = (deployment: Deployment): void => {
  if (deployment.status !== 'Queued' && deployment.status !== 'Deploying')
    throw new DeploymentNotCancelable(deployment.status);
};

/**
 * `If-Match` against the current version: absent or `*` matches; otherwise one of the listed
 * ETags (`"3"`, `W/"3"`) must be the current one.
 */
export const assertIfMatch = (ifMatch: string | undefined, currentVersion: number): void => {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const versions = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, '').replaceAll('"', ''));
  if (!versions.includes(String(currentVersion))) throw new PreconditionFailed(ifMatch, currentVersion);
};

type Kind = 'standard' | 'secret';

const checkKeys = (
  declared: ConfigurationKey[],
  given: { key: string }[],
  kind: Kind,
  unknown: (kind: Kind, key: string) => Error,
) => {
  const known = new Set(declared.map((k) => k.key));
  for (const { key } of given) if (!known.has(key)) throw unknown(kind, key);
};

/** A required key is satisfied by a non-empty value, or (standard keys) by a declared default. */
const missingRequired = (declared: ConfigurationKey[], given: { key: string; value?: string }[]) => {
  const present = new Set(given.filter((v) => v.value !== '').map((v) => v.key));
  return declared.filter((k) => k.required && k.default === undefined && !present.has(k.key));
};

/** Values an application was given, checked against what its connect.yaml declares. */
export const checkApplicationValues = (
  connector: DeploymentConnector,
  configurations: ApplicationConfigurationInput[],
): void => {
  for (const given of configurations) {
    const declared = connector.configurations.find((c) => c.applicationName === given.applicationName);
    if (!declared) throw new DeploymentUnknownApplicationConfiguration(given.applicationName);
    const unknown = (kind: Kind, key: string) =>
      new DeploymentUnknownApplicationConfigurationKey(kind, key, given.applicationName);
    checkKeys(declared.standardConfiguration, given.standardConfiguration, 'standard', unknown);
    checkKeys(declared.securedConfiguration, given.securedConfiguration, 'secret', unknown);
  }
};

/**
 * Every application's required keys are present once values are merged. Secured values are
 * checked for presence only: they are ciphertext by then, and were checked non-empty when given.
 */
export const checkRequiredApplicationKeys = (
  deployment: Pick<Deployment, 'connector' | 'applications'>,
): void => {
  for (const declared of deployment.connector.configurations) {
    const app = deployment.applications.find((a) => a.applicationName === declared.applicationName);
    const [standard] = missingRequired(declared.standardConfiguration, app?.standardConfiguration ?? []);
    if (standard)
      throw new DeploymentMissingApplicationConfigurationKey(
        'standard',
        standard.key,
        declared.applicationName,
      );
    const [secret] = missingRequired(
      declared.securedConfiguration,
      (app?.securedConfiguration ?? []).map((s) => ({ key: s.key })),
    );
    if (secret)
      throw new DeploymentMissingApplicationConfigurationKey('secret', secret.key, declared.applicationName);
  }
};

/** Global values against `inheritAs.configuration`, after merging with what was stored. */
export const checkGlobalValues = (
  declared: ConfigurationSpec | undefined,
  given: ConfigurationInput | undefined,
  stored: { standard: ConfigurationValue[]; securedKeys: string[] },
): void => {
  const unknown = (kind: Kind, key: string) => new DeploymentUnknownGlobalConfigurationKey(kind, key);
  checkKeys(declared?.standardConfiguration ?? [], given?.standardConfiguration ?? [], 'standard', unknown);
  checkKeys(declared?.securedConfiguration ?? [], given?.securedConfiguration ?? [], 'secret', unknown);
  const merged: [Kind, ConfigurationKey[], { key: string; value: string }[]][] = [
    [
      'standard',
      declared?.standardConfiguration ?? [],
      mergeValues(stored.standard, given?.standardConfiguration ?? []),
    ],
    [
      'secret',
      declared?.securedConfiguration ?? [],
      // Stored secrets are ciphertext by now: present is all that can be said of them.
      mergeValues(
        stored.securedKeys.map((key) => ({ key, value: 'stored' })),
        given?.securedConfiguration ?? [],
      ),
    ],
  ];
  for (const [kind, keys, values] of merged) {
    for (const required of keys.filter((k) => k.required && k.default === undefined)) {
      const value = values.find((v) => v.key === required.key);
      if (!value) throw new DeploymentMissingGlobalConfigurationKey(kind, required.key);
      if (value.value === '') throw new DeploymentEmptyRequiredGlobalConfigurationKey(kind, required.key);
    }
  }
};

/** Redeploy merges per key: a given key replaces the stored one, others stay. */
export const mergeValues = <T extends { key: string }>(stored: T[], given: T[]): T[] => {
  const byKey = new Map(stored.map((v) => [v.key, v]));
  for (const v of given) byKey.set(v.key, v);
  return [...byKey.values()];
};

/**
 * Whether `buildId` is the build a deployment serves: the one its last successful deploy hosted.
 * A redeploy in progress, or one that failed, leaves the previous build serving; a build that
 * was still being hosted when its workflow died never serves.
 */
export const servesBuild = (d: Pick<Deployment, 'hosted'> | undefined, buildId: string): boolean =>
  d?.hosted?.buildId === buildId;

/**
 * The stable path of a deployment's service: `/apps/<projectKey>/<deployment id>/<application>`.
 * The id, not the key: project and deployment keys are a tenant's own, so two tenants may
 * both have `shop`/`api`, and an address must name one deployment server-wide (the gateway
 * forwards by address alone). The id is as stable: redeploys and rollbacks keep it.
 */
export const applicationAddress = (
  d: Pick<Deployment, 'projectKey' | 'id'>,
  applicationName: string,
): string =>
  `/apps/${encodeURIComponent(d.projectKey)}/${encodeURIComponent(d.id)}/${encodeURIComponent(applicationName)}`;
