/**
 * The deployment workflows' steps that change a deployment. Until the workflow of issue 5
 * builds and hosts applications, the deploy workflow only marks the deployment Deployed
 * and the undeploy workflow removes it; both release the project's lock in the same write,
 * and both are idempotent (a repeated step finds its operation already done).
 */
import type { Deployment, DeploymentExecution, ProjectLock } from './deployment-model.ts';
import { ConcurrentModification } from './errors.ts';
import type { Clock, DeploymentLogRepository, DeploymentRepository } from './ports.ts';

export interface WorkflowDeps {
  deployments: DeploymentRepository;
  logs: DeploymentLogRepository;
  clock: Clock;
}

const ATTEMPTS = 5;

const lockOf = (e: DeploymentExecution): ProjectLock => ({
  projectId: e.projectId,
  deploymentId: e.deploymentId,
  operation: e.operation,
  operationId: e.operationId,
  leaseExpiresAt: '',
});

/** Runs `write` on the current deployment while it is still this execution's operation, retrying lost races. */
const whileCurrent = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  expected: Deployment['status'],
  write: (d: Deployment) => Promise<void>,
): Promise<boolean> => {
  for (let attempt = 1; ; attempt++) {
    const d = await deps.deployments.get(e.projectId, e.deploymentId);
    if (!d || d.details.build.id !== e.operationId || d.status !== expected) return false;
    try {
      await write(d);
      return true;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};

export const markDeployed = async (deps: WorkflowDeps, e: DeploymentExecution): Promise<boolean> => {
  let marked: Deployment | undefined;
  const done = await whileCurrent(deps, e, 'Queued', async (d) => {
    const now = deps.clock.now().toISOString();
    const next: Deployment = {
      ...d,
      version: d.version + 1,
      status: 'Deployed',
      lastModifiedAt: now,
      details: {
        build: {
          id: d.details.build.id,
          report: {
            entries: [
              ...d.details.build.report.entries,
              { type: 'Information', title: 'Deployed', createdAt: now },
            ],
          },
        },
      },
    };
    await deps.deployments.update(next, d.version, { release: lockOf(e) });
    marked = next;
  });
  // One line per application in its log, so a deployment's logs start with its build.
  if (marked) {
    const at = marked.lastModifiedAt;
    await deps.logs.append(
      marked.applications.map((a) => ({
        type: 'APPLICATION_TEXT' as const,
        deploymentId: e.deploymentId,
        applicationName: a.applicationName,
        severity: 'INFO' as const,
        timestamp: at,
        details: { message: `Build ${e.operationId}: deployed as version ${marked?.version}` },
      })),
    );
  }
  return done;
};

export const removeUndeployed = (deps: WorkflowDeps, e: DeploymentExecution): Promise<boolean> =>
  whileCurrent(deps, e, 'Undeploying', (d) => deps.deployments.remove(d, d.version, lockOf(e)));
