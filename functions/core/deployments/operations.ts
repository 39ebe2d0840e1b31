/**
 * What every deployment operation shares: its dependencies, the project's lock it takes, and
 * starting its workflow once its write (and lock) landed.
 */
import type { ConnectorRepository } from '../connectors/ports.ts';
import type { TenantLimits, TenantLimitsSource } from '../limits/limits.ts';
import { tenantQuotas } from '../limits/quotas.ts';
import type { ProjectRepository } from '../projects/ports.ts';
import type { Clock } from '../shared/clock.ts';
import type { AnnouncedStatus, DomainEvents } from '../shared/domain-events.ts';
import { newId } from '../shared/ids.ts';
import type { ResourceRef } from '../shared/refs.ts';
import type { Workflows } from '../shared/workflows.ts';
import type { UploadDeps } from '../uploads/uploads.ts';
import { DeploymentInProgress } from './errors.ts';
import type { Deployment, DeploymentExecution, DeploymentReportEntry, ProjectLock } from './model.ts';
import type { DeploymentRevisionRepository } from './ports.ts';
import {
  type DeploymentEventRepository,
  type DeploymentLogRepository,
  type DeploymentRepository,
  ProjectLockHeld,
  type SecretCipher,
} from './ports.ts';
import { statusChanged } from './rules.ts';

export interface DeploymentDeps extends Pick<UploadDeps, 'uploads'> {
  projects: ProjectRepository;
  clock: Clock;
  connectors: ConnectorRepository;
  deployments: DeploymentRepository;
  revisions: DeploymentRevisionRepository;
  logs: DeploymentLogRepository;
  cipher: SecretCipher;
  workflows: Workflows;
  events: DeploymentEventRepository;
  bus: DomainEvents;
  /** Each tenant's own limits, over `settings.limits` (its quotas are checked by every deploy). */
  limits: TenantLimitsSource;
  settings: {
    /** The regions this server deploys to. */
    regions: string[];
    /** The configured defaults of every tenant's limits. */
    limits: TenantLimits;
  };
}

export type DeploymentRef = ResourceRef;

/**
 * How long the project's lock holds without its workflow releasing it; after that it can be
 * taken over, so a dead workflow cannot block a project for ever. Longer than any deploy or
 * undeploy execution may run (their state machines time out within an hour).
 */
export const LOCK_LEASE_MS = 2 * 60 * 60 * 1000;

export const inProgress = async (deps: DeploymentDeps, lock: ProjectLock) => {
  const active = await deps.deployments.get(lock.projectId, lock.deploymentId);
  return new DeploymentInProgress(
    lock.deploymentId,
    active?.status ?? (lock.operation === 'undeploy' ? 'Undeploying' : 'Queued'),
  );
};

export const lockFor = (d: Deployment, operation: ProjectLock['operation'], now: Date): ProjectLock => ({
  tenant: d.tenant,
  projectId: d.projectId,
  deploymentId: d.id,
  operation,
  operationId: d.details.build.id,
  leaseExpiresAt: new Date(now.getTime() + LOCK_LEASE_MS).toISOString(),
});

/**
 * The execution's name: one per operation, so a retried start never starts a second, and the
 * reaper finds an operation's execution from its lock alone. (Step Functions allows 80
 * characters; the deployment id and the operation id's first eight are plenty to tell apart.)
 */
export const operationExecutionName = (
  lock: Pick<ProjectLock, 'operation' | 'deploymentId' | 'operationId'>,
) => `${lock.operation}-${lock.deploymentId}-${lock.operationId.slice(0, 8)}`;

/** A new operation's details: its own build id, and the report entries it starts with. */
export const newOperation = (...entries: DeploymentReportEntry[]): Deployment['details'] => ({
  build: { id: newId(), report: { entries } },
});

/**
 * Starts the workflow of an operation whose write (and lock) just landed. If the start
 * fails, the operation is recorded as failed and the lock released in one write
 * (compensation), so the project is not left locked; if even that fails, the lock's lease
 * runs out and the reaper finishes it.
 */
export const startOperation = async (
  deps: DeploymentDeps,
  deployment: Deployment,
  lock: ProjectLock,
  from?: AnnouncedStatus,
) => {
  const execution: DeploymentExecution = {
    tenant: deployment.tenant,
    projectId: deployment.projectId,
    deploymentId: deployment.id,
    operation: lock.operation,
    operationId: lock.operationId,
  };
  try {
    await deps.workflows.start(lock.operation, operationExecutionName(lock), execution);
    await deps.bus.publish(
      statusChanged(deployment, lock.operationId, deployment.status, deployment.lastModifiedAt, from),
    );
    return deployment;
  } catch (error) {
    const now = deps.clock.now().toISOString();
    const failed: Deployment = {
      ...deployment,
      status: lock.operation === 'deploy' ? 'Failed' : 'UndeployFailed',
      version: deployment.version + 1,
      lastModifiedAt: now,
      details: {
        build: {
          id: deployment.details.build.id,
          report: {
            entries: [
              {
                type: 'Error',
                title: `The ${lock.operation} workflow could not be started (${(error as Error).name}); try again.`,
                createdAt: now,
              },
            ],
          },
        },
      },
    };
    try {
      await deps.deployments.update(failed, deployment.version, { release: lock });
      await deps.bus.publish(statusChanged(failed, lock.operationId, failed.status, now, deployment.status));
      return failed;
    } catch {
      return deployment;
    }
  }
};

export const writeAndStart = async (
  deps: DeploymentDeps,
  next: Deployment,
  expectedVersion: number,
  operation: ProjectLock['operation'],
  now: Date,
  /** The status it leaves (absent for a new deployment), for the status-change event. */
  from?: AnnouncedStatus,
) => {
  const lock = lockFor(next, operation, now);
  // A redeploy starts a build and may start hosting; an undeploy frees both, so it is never refused.
  const quotas = operation === 'deploy' ? await tenantQuotas(deps, next.tenant) : undefined;
  try {
    await deps.deployments.update(next, expectedVersion, {
      acquire: lock,
      now: now.toISOString(),
      ...(quotas ? { quotas } : {}),
    });
  } catch (error) {
    if (error instanceof ProjectLockHeld) throw await inProgress(deps, error.lock);
    throw error;
  }
  return startOperation(deps, next, lock, from);
};
