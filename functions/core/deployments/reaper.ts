/**
 * The reaper: finishes every operation whose workflow died, so no deployment stays in
 * progress and no project stays locked. It walks the held locks (one per project with an
 * operation in progress) and, for each, asks Step Functions about the execution:
 *
 * - the deployment no longer runs the lock's operation: the lock is left over; released;
 * - the lease expired: the operation is finished (and its execution stopped, if it runs);
 * - the execution is gone (a restart of `npm start` loses running executions) or ended
 *   without recording an outcome: the operation is finished;
 * - a lock younger than the grace period is left alone: its execution may not be started yet.
 *
 * Finishing is the workflow's own failure path (`failOperation`): Failed or UndeployFailed
 * with an Error entry saying why, the lock released in the same write.
 */

import type { ExecutionState, Workflows } from '../shared/workflows.ts';
import type { DeploymentExecution, ProjectLock } from './model.ts';
import { LOCK_LEASE_MS, operationExecutionName } from './operations.ts';
import { IN_PROGRESS } from './rules.ts';
import { failOperation } from './workflow/failure.ts';
import type { WorkflowDeps } from './workflow/record.ts';

export interface ReaperDeps extends WorkflowDeps {
  workflows: Workflows;
  settings: { graceMs: number };
}

export interface ReaperReport {
  finished: { deploymentId: string; reason: string }[];
  released: string[];
  /** Operations that could not be finished this time (tried again on the next run). */
  errors: { deploymentId: string; error: string }[];
}

const reasonFor = (state: ExecutionState, leaseExpired: boolean): string | undefined => {
  if (leaseExpired) return 'its lease expired before the workflow finished';
  if (state === 'MISSING') return 'its workflow execution is gone (was the server restarted?)';
  if (state !== 'RUNNING') return `its workflow execution ended (${state}) without recording an outcome`;
  return undefined;
};

export const reapStuckOperations = async (deps: ReaperDeps): Promise<ReaperReport> => {
  const report: ReaperReport = { finished: [], released: [], errors: [] };
  const now = deps.clock.now().getTime();
  for (const lock of await deps.deployments.listLocks()) {
    try {
      await reapOne(deps, lock, now, report);
    } catch (error) {
      // One operation that cannot be finished now must not keep the others waiting.
      report.errors.push({ deploymentId: lock.deploymentId, error: (error as Error).message });
    }
  }
  return report;
};

const reapOne = async (deps: ReaperDeps, lock: ProjectLock, now: number, report: ReaperReport) => {
  const d = await deps.deployments.get(lock.projectId, lock.deploymentId);
  if (!d || d.details.build.id !== lock.operationId || !IN_PROGRESS[lock.operation].includes(d.status)) {
    await deps.deployments.releaseLock(lock);
    report.released.push(lock.deploymentId);
    return;
  }
  const lease = Date.parse(lock.leaseExpiresAt);
  const leaseExpired = lease <= now;
  if (!leaseExpired && now - (lease - LOCK_LEASE_MS) < deps.settings.graceMs) return;
  const name = operationExecutionName(lock);
  const state = await deps.workflows.state(lock.operation, name);
  const reason = reasonFor(state, leaseExpired);
  if (!reason) return;
  if (state === 'RUNNING') await deps.workflows.stop(lock.operation, name, 'Reaped: the lease expired');
  await failOperation(deps, executionOf(d.tenant, lock), {
    step: 'failed',
    title: 'The workflow did not finish',
    error: 'Slipway.OperationReaped',
    cause: JSON.stringify({ errorMessage: `The ${lock.operation} did not finish: ${reason}.` }),
  });
  report.finished.push({ deploymentId: lock.deploymentId, reason });
};

const executionOf = (tenant: string, lock: ProjectLock): DeploymentExecution => ({
  tenant,
  projectId: lock.projectId,
  deploymentId: lock.deploymentId,
  operation: lock.operation,
  operationId: lock.operationId,
});
