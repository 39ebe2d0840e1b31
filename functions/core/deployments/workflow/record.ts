/**
 * The steps of the deploy and undeploy workflows (`statemachine/deploy.asl.json`,
 * `undeploy.asl.json`) that change a deployment. Each step finds the deployment, checks it is
 * still running this execution's operation (a cancel or the reaper may have finished it),
 * writes conditionally on its version (every change bumps it), records its step on the
 * progress trail and publishes status changes. All are idempotent: a retried step finds its
 * work done. The definitions hold order, retries and timeouts; the rules are here.
 */
import type { SpecificationParser } from '../../connectors/spec.ts';
import type { ApplicationHosting } from '../../hosting/ports.ts';
import type { Clock } from '../../shared/clock.ts';
import type { AnnouncedStatus, DomainEvents } from '../../shared/domain-events.ts';
import { ConcurrentModification } from '../../shared/errors.ts';
import type { ArtifactStore, UploadRepository, ZipReader } from '../../uploads/ports.ts';
import { DeploymentOperationSuperseded } from '../errors.ts';
import type {
  ApplicationPlan,
  Deployment,
  DeploymentExecution,
  DeploymentStatus,
  DeploymentStep,
  ProjectLock,
} from '../model.ts';
import type {
  DeploymentEventRepository,
  DeploymentLogRepository,
  DeploymentRepository,
  DeploymentRevisionRepository,
  SecretCipher,
} from '../ports.ts';
import { statusChanged } from '../rules.ts';

export interface WorkflowDeps {
  deployments: DeploymentRepository;
  revisions: DeploymentRevisionRepository;
  logs: DeploymentLogRepository;
  events: DeploymentEventRepository;
  bus: DomainEvents;
  hosting: ApplicationHosting;
  cipher: SecretCipher;
  clock: Clock;
}

/**
 * What records a deployment's progress and status without touching hosted applications or
 * secrets: the artifact and prepare steps run in functions that bundle neither.
 */
export type RecordDeps = Pick<WorkflowDeps, 'deployments' | 'events' | 'bus' | 'clock'>;

export interface ReadArtifactDeps extends RecordDeps {
  artifacts: ArtifactStore;
  zip: ZipReader;
  uploads: UploadRepository;
}

export interface PrepareDeps extends RecordDeps {
  specParser: SpecificationParser;
}

export const ATTEMPTS = 5;

export const lockOf = (e: DeploymentExecution): ProjectLock => ({
  projectId: e.projectId,
  deploymentId: e.deploymentId,
  operation: e.operation,
  operationId: e.operationId,
  leaseExpiresAt: '',
});

export const isRunning = (d: Deployment | undefined, e: DeploymentExecution, statuses: DeploymentStatus[]) =>
  d !== undefined && d.details.build.id === e.operationId && statuses.includes(d.status);

/** The deployment while it still runs this execution's operation in one of `statuses`. */
export const current = async (
  deps: Pick<RecordDeps, 'deployments'>,
  e: DeploymentExecution,
  statuses: DeploymentStatus[],
) => {
  const d = await deps.deployments.get(e.projectId, e.deploymentId);
  if (!isRunning(d, e, statuses) || !d)
    throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  return d;
};

export interface Progress {
  step: DeploymentStep;
  progress: number;
  message?: string;
  application?: string;
  errorCode?: string;
}

/**
 * One step on the deployment's trail. A change of status (`changed`, naming the status it
 * left) is also published.
 */
export const record = async (
  deps: Pick<WorkflowDeps, 'events' | 'bus' | 'clock'>,
  d: Pick<Deployment, 'id' | 'tenant' | 'projectKey' | 'key' | 'version' | 'rollbackRevision'>,
  e: DeploymentExecution,
  status: AnnouncedStatus,
  progress: Progress,
  changed?: { from: AnnouncedStatus },
) => {
  const at = deps.clock.now().toISOString();
  await deps.events.append({
    deploymentId: e.deploymentId,
    operationId: e.operationId,
    operation: e.operation,
    status,
    at,
    ...progress,
  });
  if (changed) await deps.bus.publish(statusChanged(d, e.operationId, status, at, changed.from));
};

/**
 * Writes `change(d)` (one version up) while the deployment still runs this operation in one of
 * `statuses`, starting over when another write lands first. Returns the written deployment,
 * or undefined when the operation is no longer current (a cancel or the reaper finished it).
 */
export const transition = async (
  deps: RecordDeps,
  e: DeploymentExecution,
  statuses: DeploymentStatus[],
  change: (d: Deployment, now: string) => Partial<Deployment>,
  options: { release?: boolean } = {},
): Promise<Deployment | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const d = await deps.deployments.get(e.projectId, e.deploymentId);
    if (!d || !isRunning(d, e, statuses)) return undefined;
    const now = deps.clock.now().toISOString();
    const next: Deployment = { ...d, ...change(d, now), version: d.version + 1, lastModifiedAt: now };
    try {
      await deps.deployments.update(next, d.version, options.release ? { release: lockOf(e) } : undefined);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};

/**
 * What the deploy workflow does after step 1: build (`restore: false`), or host a kept build
 * again (a rollback or promote): then `builds` are its applications, in the shape the
 * BuildApplications Map leaves them, and the workflow skips straight to hosting.
 */
export interface DeployStart {
  restore: boolean;
  builds: { application: ApplicationPlan; built: { bundle: string } }[];
  /**
   * How many applications HostApplications hosts at a time: a build's one at a time, a kept
   * build's all at once (0: no limit), since starting them is all a rollback waits for.
   */
  hostConcurrency: number;
}

const deployStart = (d: Deployment): DeployStart =>
  d.restore
    ? {
        restore: true,
        builds: d.restore.applications.map(({ bundle, ...application }) => ({
          application,
          built: { bundle },
        })),
        hostConcurrency: 0,
      }
    : { restore: false, builds: [], hostConcurrency: 1 };

/** Step 1 (initializing): Queued → Deploying. A retry finds it Deploying already. */
export const markDeploying = async (deps: WorkflowDeps, e: DeploymentExecution): Promise<DeployStart> => {
  const next = await transition(deps, e, ['Queued'], () => ({ status: 'Deploying' }));
  if (next) {
    await record(
      deps,
      next,
      e,
      'Deploying',
      {
        step: 'initializing',
        progress: 5,
        ...(next.restore ? { message: `Hosting build ${next.restore.buildId} again: nothing to build` } : {}),
      },
      { from: 'Queued' },
    );
    return deployStart(next);
  }
  return deployStart(await current(deps, e, ['Deploying']));
};
