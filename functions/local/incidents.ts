import type { HostingRequest } from '../core/hosting/ports.ts';
import type { Incident } from './hosting/supervisor.ts';

/** The report entry's title of each kind of incident of a hosted application. */
const INCIDENT_TITLES: Record<Incident['kind'], string> = {
  restarted: 'Application restarted',
  limit: 'Application stopped at a limit',
  crashed: 'Application crashed',
};

/**
 * Writes a hosted application's incident (a crash, a restart, a limit crossed) into its
 * deployment's report. Imported late: the repository's client reads the environment the local
 * stack sets before any incident can happen.
 */
export const reportIncident = async (tableName: string, request: HostingRequest, incident: Incident) => {
  const { recordApplicationIncident } = await import('../core/deployments/incidents.ts');
  const { dynamoDeploymentRepository } = await import('../adapters/dynamodb/deployments.ts');
  const deps = { deployments: dynamoDeploymentRepository(() => tableName), clock: { now: () => new Date() } };
  await recordApplicationIncident(deps, {
    projectId: request.projectId,
    deploymentId: request.deploymentId,
    buildId: request.buildId,
    applicationName: request.applicationName,
    type: incident.kind === 'crashed' ? 'Error' : 'Warning',
    title: INCIDENT_TITLES[incident.kind],
    message: incident.message,
  });
};
