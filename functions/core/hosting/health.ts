/**
 * The health checks of deployed applications (connect.yaml's `healthCheck`, Connect, 23 October
 * 2026): which applications have one, its timing, what counts as healthy, and when a run of
 * failed checks makes an application unhealthy and a passing one makes it recovered. The same
 * rules drive the local supervisor (`functions/local/hosting/`) and the prober on AWS
 * (`probeApplicationHealth`); docs/health-checks.md says what each does with them.
 */
import type { HealthCheckTiming } from '../connectors/spec.ts';
import { normalisePath } from './hosted-events.ts';
import type { HostingRequest } from './ports.ts';

/**
 * Slipway's defaults for the fields connect.yaml leaves out. Connect has not published its own;
 * these sit inside its range (1–20 each): a check every 10 s, 5 s to answer, unhealthy after
 * 3 failures in a row (about 30 s of failing).
 */
export const HEALTH_CHECK_DEFAULTS: Readonly<Required<HealthCheckTiming>> = {
  intervalSeconds: 10,
  timeoutSeconds: 5,
  unhealthyThreshold: 3,
};

/** One application's health check, every field resolved. */
export interface HealthCheck extends Required<HealthCheckTiming> {
  /** Where the check sends its GET, starting with `/`. */
  path: string;
}

/**
 * The periodic health check of a hosted application: service and event applications that
 * declare a `healthCheck` (its `path`) have one, with the defaults for what it leaves out.
 */
export const healthCheckOf = (
  request: Pick<HostingRequest, 'applicationType' | 'healthCheckPath' | 'healthCheck'>,
): HealthCheck | undefined => {
  if (request.applicationType !== 'service' && request.applicationType !== 'event') return undefined;
  if (request.healthCheckPath === undefined) return undefined;
  return {
    ...HEALTH_CHECK_DEFAULTS,
    ...request.healthCheck,
    path: normalisePath(request.healthCheckPath, '/'),
  };
};

/** What one check saw: the status the application answered, or why there was no answer. */
export type ProbeOutcome =
  | { status: number }
  | { error: 'timeout' }
  | { error: 'unreachable'; detail: string };

/**
 * Healthy is an answer from 200 to 399, as Kubernetes' and Cloud Run's HTTP probes count it;
 * a redirect is not followed. Anything else, no answer within the timeout, or no connection
 * at all is a failed check.
 */
export const isHealthy = (outcome: ProbeOutcome): boolean =>
  'status' in outcome && outcome.status >= 200 && outcome.status < 400;

/** What a check saw, in words a tenant can act on (never a host path, address or port). */
const describeOutcome = (outcome: ProbeOutcome, check: Pick<HealthCheck, 'timeoutSeconds'>): string => {
  if ('status' in outcome) return `answered ${outcome.status}`;
  if (outcome.error === 'timeout') return `did not answer within ${check.timeoutSeconds} s`;
  return `could not be reached (${outcome.detail})`;
};

/** An application's run of checks: failures in a row, and whether it was reported unhealthy. */
export interface HealthState {
  consecutiveFailures: number;
  unhealthy: boolean;
}

export const HEALTHY: HealthState = { consecutiveFailures: 0, unhealthy: false };

/**
 * What one check's outcome means:
 * - `unhealthy`: the threshold of failures in a row was reached while the application was
 *   healthy: report it (and restart it, where the host can);
 * - `still-unhealthy`: reached again after that (a restart did not help): restart it again,
 *   report nothing new;
 * - `recovered`: it passed after it was reported unhealthy: report that;
 * - `none`: nothing to do.
 * Reaching the threshold starts the count again, so each further restart waits for as many
 * failures as the first.
 */
export type HealthVerdict = 'unhealthy' | 'still-unhealthy' | 'recovered' | 'none';

export const nextHealth = (
  state: HealthState,
  outcome: ProbeOutcome,
  check: Pick<HealthCheck, 'unhealthyThreshold'>,
): { state: HealthState; verdict: HealthVerdict } => {
  if (isHealthy(outcome)) return { state: HEALTHY, verdict: state.unhealthy ? 'recovered' : 'none' };
  const failures = state.consecutiveFailures + 1;
  if (failures < check.unhealthyThreshold)
    return { state: { ...state, consecutiveFailures: failures }, verdict: 'none' };
  return {
    state: { consecutiveFailures: 0, unhealthy: true },
    verdict: state.unhealthy ? 'still-unhealthy' : 'unhealthy',
  };
};

export const HEALTH_TITLES = {
  unhealthy: 'Application unhealthy',
  recovered: 'Application recovered',
} as const;

/**
 * The report entry's message of a change of health. `restarting`: the host restarts the
 * application (locally); on AWS it is only reported.
 */
export const healthMessage = (
  applicationName: string,
  check: HealthCheck,
  outcome: ProbeOutcome,
  change: { healthy: boolean; restarting?: boolean },
): string => {
  const seen = `GET ${check.path} ${describeOutcome(outcome, check)}`;
  if (change.healthy) return `'${applicationName}' passes its health check again (${seen}).`;
  const failures = check.unhealthyThreshold === 1 ? 'once' : `${check.unhealthyThreshold} times in a row`;
  return `'${applicationName}' failed its health check ${failures} (last: ${seen})${
    change.restarting ? '; it is being restarted' : ''
  }.`;
};
