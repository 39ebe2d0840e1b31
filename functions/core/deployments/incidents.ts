/**
 * What happens to a deployment's applications after it is deployed (a crash, a restart, a
 * limit crossed, a failing health check), written where its users look: an entry of the
 * deployment's report, and a domain event. Only about the build the deployment serves: an
 * incident of a build it replaced meanwhile is not its news.
 */
import { HEALTH_TITLES } from '../hosting/health.ts';
import type { ApplicationHealthChanged } from '../shared/domain-events.ts';
import { ConcurrentModification } from '../shared/errors.ts';
import type { Deployment, DeploymentReportEntry } from './model.ts';
import { servesBuild, withReportEntries } from './rules.ts';
import type { WorkflowDeps } from './workflow/record.ts';

export interface ApplicationIncident {
  projectId: string;
  deploymentId: string;
  buildId: string;
  applicationName: string;
  /** `Warning` for what was handled (a restart), `Error` for what was not (given up), `Information` for a recovery. */
  type: DeploymentReportEntry['type'];
  title: string;
  message: string;
}

const ATTEMPTS = 5;
/** A report keeps at most this many entries: the oldest warnings go first (an item has 400 KB). */
const MAX_ENTRIES = 100;

const bounded = (entries: DeploymentReportEntry[]): DeploymentReportEntry[] => {
  const out = [...entries];
  for (let i = 0; out.length > MAX_ENTRIES && i < out.length; )
    if (out[i]?.type === 'Error') i++;
    else out.splice(i, 1);
  return out.slice(-MAX_ENTRIES);
};

/** Adds the incident to the deployment's report (a conditional write, retried on a race). */
export const recordApplicationIncident = async (
  deps: Pick<WorkflowDeps, 'deployments' | 'clock'>,
  incident: ApplicationIncident,
): Promise<boolean> => (await appendIncident(deps, incident, servesBuild)) !== undefined;

/** The deployment's report with the incident added, when `applies`; the deployment as written. */
const appendIncident = async (
  deps: Pick<WorkflowDeps, 'deployments' | 'clock'>,
  incident: ApplicationIncident,
  applies: (d: Deployment, buildId: string) => boolean,
): Promise<Deployment | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const d = await deps.deployments.get(incident.projectId, incident.deploymentId);
    if (!d || !applies(d, incident.buildId)) return undefined;
    const now = deps.clock.now().toISOString();
    const entry: DeploymentReportEntry = {
      type: incident.type,
      title: incident.title,
      message: incident.message,
      application: incident.applicationName,
      createdAt: now,
    };
    try {
      const { details } = withReportEntries(d, [entry]);
      const report = { entries: bounded(details.build.report.entries) };
      const written: Deployment = {
        ...d,
        version: d.version + 1,
        lastModifiedAt: now,
        details: { build: { ...details.build, report } },
      };
      await deps.deployments.update(written, d.version);
      return written;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};

/**
 * Whether a deployment's health is news: it serves the build, and is not being undeployed
 * (its applications are stopping; a check failing meanwhile is expected).
 */
export const watchesHealthOf = (d: Pick<Deployment, 'hosted' | 'status'>, buildId: string): boolean =>
  servesBuild(d, buildId) && d.status !== 'Undeploying';

export interface ApplicationHealthChange {
  projectId: string;
  deploymentId: string;
  buildId: string;
  applicationName: string;
  healthy: boolean;
  /** What was seen, for the report entry and the event (`healthMessage`). */
  message: string;
}

/**
 * A change of an application's health: an `Error` entry "Application unhealthy" or an
 * `Information` entry "Application recovered" in the report, then `ApplicationHealthChanged`.
 * Nothing when the deployment no longer serves that build (or is being undeployed). Returns
 * whether it was recorded.
 */
export const recordApplicationHealth = async (
  deps: Pick<WorkflowDeps, 'deployments' | 'clock' | 'bus'>,
  change: ApplicationHealthChange,
): Promise<boolean> => {
  const written = await appendIncident(
    deps,
    {
      ...change,
      type: change.healthy ? 'Information' : 'Error',
      title: change.healthy ? HEALTH_TITLES.recovered : HEALTH_TITLES.unhealthy,
    },
    watchesHealthOf,
  );
  if (!written) return false;
  const event: ApplicationHealthChanged = {
    type: 'ApplicationHealthChanged',
    tenant: written.tenant,
    projectKey: written.projectKey,
    deploymentId: written.id,
    ...(written.key === undefined ? {} : { deploymentKey: written.key }),
    applicationName: change.applicationName,
    healthy: change.healthy,
    message: change.message,
    at: written.lastModifiedAt,
  };
  await deps.bus.publish(event);
  return true;
};
