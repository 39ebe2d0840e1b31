/**
 * What happens to a deployment's applications after it is deployed (a crash, a restart, a
 * limit crossed, a failing health check), written where its users look: an entry of the
 * deployment's report, and a domain event. Only about the build the deployment serves: an
 * incident of a build it replaced meanwhile is not its news.
 */
import { ConcurrentModification } from '../shared/errors.ts';
import type { DeploymentReportEntry } from './model.ts';
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
): Promise<boolean> => {
  for (let attempt = 1; ; attempt++) {
    const d = await deps.deployments.get(incident.projectId, incident.deploymentId);
    if (!d || !servesBuild(d, incident.buildId)) return false;
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
      await deps.deployments.update(
        {
          ...d,
          version: d.version + 1,
          lastModifiedAt: now,
          details: { build: { ...details.build, report } },
        },
        d.version,
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};
