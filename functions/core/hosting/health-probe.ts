/**
 * A scheduled health check of one application where no process of ours runs it (AWS: the
 * application is a Lambda function, checked by the `health-probe` function on an EventBridge
 * Scheduler schedule). The run of failures is kept between checks (`HealthStates`); the rules
 * and the report are the same as the local supervisor's (`./health.ts`,
 * `recordApplicationHealth`). There is nothing to restart: Lambda replaces the execution
 * environments of a function by itself, so an unhealthy application is reported, not restarted.
 */
import * as z from 'zod';
import { recordApplicationHealth, watchesHealthOf } from '../deployments/incidents.ts';
import type { WorkflowDeps } from '../deployments/workflow/record.ts';
import {
  HEALTHY,
  type HealthCheck,
  type HealthState,
  type HealthVerdict,
  healthMessage,
  nextHealth,
  type ProbeOutcome,
} from './health.ts';

/** One application of one build, as its health is kept. */
export interface HealthRef {
  deploymentId: string;
  buildId: string;
  applicationName: string;
}

const Id = z.string().min(1).max(256);
const Count = z.number().int().min(1);

/**
 * What a schedule asks to check (its input, checked as it arrives): the application, where it
 * runs (`target`: its Lambda function's name), and its check.
 */
export const ProbeTargetSchema = z.strictObject({
  projectId: Id,
  deploymentId: Id,
  buildId: Id,
  applicationName: Id,
  target: Id,
  check: z.strictObject({
    path: z.string().startsWith('/').max(1_024),
    intervalSeconds: Count,
    timeoutSeconds: Count.max(20),
    unhealthyThreshold: Count.max(20),
  }),
});

export type ProbeTarget = z.infer<typeof ProbeTargetSchema>;

/** Sends one check to the application at `target` (AWS: a synthetic GET through Lambda Invoke). */
export interface HealthProber {
  probe(target: string, check: HealthCheck): Promise<ProbeOutcome>;
}

/** The run of checks of each application checked by schedule, written conditionally. */
export interface HealthStates {
  /** The state and its version; undefined when none was written (healthy so far). */
  get(ref: HealthRef): Promise<{ state: HealthState; version: number } | undefined>;
  /**
   * Writes `state` as version `version + 1` if the stored one is still at `version` (0: none
   * stored). False when another check wrote first: a duplicate or overlapping invocation.
   */
  put(ref: HealthRef, state: HealthState, version: number): Promise<boolean>;
}

export interface HealthProbeDeps extends Pick<WorkflowDeps, 'deployments' | 'clock' | 'bus'> {
  prober: HealthProber;
  states: HealthStates;
}

const sameState = (a: HealthState, b: HealthState) =>
  a.consecutiveFailures === b.consecutiveFailures && a.unhealthy === b.unhealthy;

/**
 * One check: skipped unless the deployment still serves the build (and is not being
 * undeployed); otherwise the application is probed, its run of failures moved on (written only
 * when it changes, on the version read: an invocation that loses the race reports nothing), and
 * a change of health recorded (report entry and `ApplicationHealthChanged`). Answers what it
 * found: the verdict, `skipped` or `raced`.
 */
export const probeApplicationHealth = async (
  deps: HealthProbeDeps,
  target: ProbeTarget,
): Promise<HealthVerdict | 'skipped' | 'raced'> => {
  const d = await deps.deployments.get(target.projectId, target.deploymentId);
  if (!d || !watchesHealthOf(d, target.buildId)) return 'skipped';
  const ref: HealthRef = {
    deploymentId: target.deploymentId,
    buildId: target.buildId,
    applicationName: target.applicationName,
  };
  const known = await deps.states.get(ref);
  const previous = known?.state ?? HEALTHY;
  const outcome = await deps.prober.probe(target.target, target.check);
  const { state, verdict } = nextHealth(previous, outcome, target.check);
  if (!sameState(state, previous) && !(await deps.states.put(ref, state, known?.version ?? 0)))
    return 'raced';
  if (verdict === 'unhealthy' || verdict === 'recovered') {
    const healthy = verdict === 'recovered';
    await recordApplicationHealth(deps, {
      projectId: target.projectId,
      ...ref,
      healthy,
      message: healthMessage(target.applicationName, target.check, outcome, { healthy }),
    });
  }
  return verdict;
};
