/** The undeploy workflow's own steps: Undeploying, then the deployment removed with its lock released. */
import { ConcurrentModification } from '../../shared/errors.ts';
import type { DeploymentExecution } from '../model.ts';
import type { ScriptJob } from './host.ts';
import { scriptJobs } from './host.ts';
import { ATTEMPTS, current, isRunning, lockOf, record, type WorkflowDeps } from './record.ts';

/** Undeploy step 1: the preUndeploy scripts of what is hosted, unless the deletion skips them. */
export const startUndeploy = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
): Promise<{ scripts: ScriptJob[] }> => {
  const d = await current(deps, e, ['Undeploying']);
  await record(deps, d, e, 'Undeploying', { step: 'initializing', progress: 5 });
  if (d.skipScripts || !d.hosted) return { scripts: [] };
  const hosted = d.applications.map((a) => ({
    applicationName: a.applicationName,
    ...(a.url ? { url: a.url } : {}),
    ...(a.topic ? { topic: a.topic } : {}),
  }));
  return { scripts: scriptJobs(d.hosted.applications, hosted, 'preUndeploy') };
};

/**
 * Undeploy's last step: every application and workspace of the deployment removed, its
 * revisions, then the deployment and its lock.
 */
export const removeUndeployed = async (deps: WorkflowDeps, e: DeploymentExecution): Promise<void> => {
  const d = await current(deps, e, ['Undeploying']);
  await record(deps, d, e, 'Undeploying', { step: 'finalizing', progress: 90 });
  await deps.hosting.stop({ deploymentId: e.deploymentId });
  // Its revisions go with it (removed first: a retry after the deployment is gone finds nothing to do).
  await deps.revisions.removeAll(e.deploymentId);
  // Retention's next run removes whatever build files are left (on AWS, `stop` leaves them).
  await deps.revisions.markRetentionDue(e.projectId, e.deploymentId);
  for (let attempt = 1; ; attempt++) {
    const cur = await deps.deployments.get(e.projectId, e.deploymentId);
    if (!cur || !isRunning(cur, e, ['Undeploying'])) return;
    try {
      await deps.deployments.remove(cur, cur.version, lockOf(e));
      return record(deps, cur, e, 'Removed', { step: 'complete', progress: 100 }, { from: 'Undeploying' });
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};
