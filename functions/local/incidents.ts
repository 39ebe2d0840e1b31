import type { HostingRequest } from '../core/hosting/ports.ts';
import type { Incident } from './hosting/types.ts';

/** The report entry's title of each kind of incident of a hosted application (health has its own). */
const INCIDENT_TITLES: Record<Exclude<Incident['kind'], 'unhealthy' | 'recovered'>, string> = {
  restarted: 'Application restarted',
  limit: 'Application stopped at a limit',
  crashed: 'Application crashed',
};

/**
 * Writes a hosted application's incident (a crash, a restart, a limit crossed, a change of
 * health) into its deployment's report; a change of health is also published on the
 * in-process bus (`ApplicationHealthChanged`), as the AWS prober publishes it on EventBridge.
 * Imported late: the repository's client reads the environment the local stack sets before any
 * incident can happen.
 */
export const reportIncident = async (tableName: string, request: HostingRequest, incident: Incident) => {
  const { recordApplicationHealth, recordApplicationIncident } = await import(
    '../core/deployments/incidents.ts'
  );
  const { dynamoDeploymentRepository } = await import('../adapters/dynamodb/deployments.ts');
  const deps = { deployments: dynamoDeploymentRepository(() => tableName), clock: { now: () => new Date() } };
  const about = {
    projectId: request.projectId,
    deploymentId: request.deploymentId,
    buildId: request.buildId,
    applicationName: request.applicationName,
    message: incident.message,
  };
  if (incident.kind === 'unhealthy' || incident.kind === 'recovered') {
    const { localDomainEvents } = await import('../adapters/events/local-bus.ts');
    await recordApplicationHealth(
      { ...deps, bus: localDomainEvents },
      { ...about, healthy: incident.kind === 'recovered' },
    );
    return;
  }
  await recordApplicationIncident(deps, {
    ...about,
    type: incident.kind === 'crashed' ? 'Error' : 'Warning',
    title: INCIDENT_TITLES[incident.kind],
  });
};
