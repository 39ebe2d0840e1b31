/** Connect's DeploymentRevision as the API answers it (`core/deployments/revisions.ts`). */
import type { DeploymentRevision } from '../core/deployments/model.ts';

/**
 * A revision: its number and date, the connector version deployed (DeploymentRevisionConnector,
 * with `buildId`, what identifies the build it ran), and each application's configuration as
 * deployed (DeploymentRevisionApplication): standard values, secured ones by key only.
 * Slipway adds `buildKept`: whether a rollback to it hosts that build again without building.
 */
export const revisionView = (r: DeploymentRevision) => ({
  revision: r.revision,
  createdAt: r.createdAt,
  connector: {
    id: r.connector.id,
    ...(r.connector.key === undefined ? {} : { key: r.connector.key }),
    version: r.connector.version,
    ...(r.connector.staged ? { staged: true } : {}),
    buildId: r.buildId,
  },
  applications: r.applications.map((a) => ({
    applicationName: a.applicationName,
    standardConfiguration: a.standardConfiguration.map((v) => ({ key: v.key, value: v.value })),
    securedConfiguration: a.securedConfiguration.map((v) => ({ key: v.key })),
  })),
  ...(r.globalConfiguration
    ? {
        globalConfiguration: {
          standardConfiguration: r.globalConfiguration.standardConfiguration.map((v) => ({
            key: v.key,
            value: v.value,
          })),
          securedConfiguration: r.globalConfiguration.securedConfiguration.map((v) => ({ key: v.key })),
        },
      }
    : {}),
  ...(r.rollbackRevision === undefined ? {} : { rollbackRevision: r.rollbackRevision }),
  buildKept: r.buildKept,
});
