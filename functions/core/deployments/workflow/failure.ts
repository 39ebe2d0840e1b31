/** RecordFailure: what a failed step leaves on the deployment (one Error entry, Failed, the lock released). */
import { withoutInternals } from '../../shared/public-text.ts';
import type {
  DeploymentExecution,
  DeploymentReportEntry,
  DeploymentStatus,
  DeploymentStep,
} from '../model.ts';
import { IN_PROGRESS, withReportEntries } from '../rules.ts';
import { record, transition, type WorkflowDeps } from './record.ts';

/** A Task's failure as the state machine's Catch hands it over. */
export interface StepFailure {
  step: DeploymentStep;
  /** The entry's title, when not the step's default. */
  title?: string;
  error: string;
  cause?: string;
  application?: string;
}

const parseJson = (text: string | undefined): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A variable of the CodeBuild task's environment, from the Build document in its cause. */
const buildVariable = (cause: Record<string, unknown> | undefined, name: string): string | undefined => {
  const build = cause?.Build as
    | { Environment?: { EnvironmentVariables?: { Name?: string; Value?: string }[] } }
    | undefined;
  return build?.Environment?.EnvironmentVariables?.find((v) => v.Name === name)?.Value || undefined;
};

/**
 * Why the build's failed phase failed, as CodeBuild reports it in the phase's context (our
 * jobs' own words: "'npm run build' exited with code 1"), without the job's own prefix.
 */
const failedPhaseReason = (cause: Record<string, unknown> | undefined): string | undefined => {
  const phases = (cause?.Build as { Phases?: { PhaseStatus?: string; Contexts?: { Message?: string }[] }[] })
    ?.Phases;
  const message = phases?.find((p) => p.PhaseStatus === 'FAILED')?.Contexts?.find((c) => c.Message)?.Message;
  if (!message) return undefined;
  const reason = message.replace(
    /^(Building application '[^']*' failed|Failed during the execution of '[^']*' script of application '[^']*'): /,
    '',
  );
  return reason.length > 300 ? `${reason.slice(0, 300)}…` : reason;
};

/**
 * What a failure is reported as: the domain error's own message (`Slipway.<code>`), a timeout,
 * a failed build or script (its output is in the logs), or an internal error in fixed words
 * (its details stay in the function's log, not in a tenant's report). `detail` is the domain
 * error's whole text, for the deployment's logs; `message` is what the tenant's clients see,
 * without host paths, stack frames or resource names.
 */
export const describeFailure = (
  f: StepFailure,
): { code: string; message: string; detail?: string; application?: string } => {
  const cause = parseJson(f.cause);
  if (f.error.startsWith('Slipway.')) {
    const code = f.error.slice('Slipway.'.length);
    const detail = typeof cause?.errorMessage === 'string' ? cause.errorMessage : code;
    // Errors about one application name it in their message (Lambda carries nothing else).
    const application = f.application ?? /application '([^']+)'/.exec(detail)?.[1];
    const message = withoutInternals(detail);
    return {
      code,
      message,
      ...(message === detail ? {} : { detail }),
      ...(application ? { application } : {}),
    };
  }
  const application = f.application ?? buildVariable(cause, 'APPLICATION');
  const about = application ? ` of application '${application}'` : '';
  const at = application ? { application } : {};
  if (f.error === 'States.Timeout')
    return { code: 'StepTimedOut', message: `The ${f.step} step${about} did not finish in time.`, ...at };
  if (cause?.Build) {
    const script = buildVariable(cause, 'SCRIPT');
    const job = script ? `The '${script}' script${about}` : `The build${about}`;
    const reason = failedPhaseReason(cause);
    return {
      code: script ? 'ApplicationScriptFailed' : 'ApplicationBuildFailed',
      message: `${job} failed${reason ? ` (${withoutInternals(reason)})` : ''}; its output is in the deployment logs.`,
      ...at,
    };
  }
  return { code: 'InternalError', message: `An internal error interrupted the ${f.step} step; try again.` };
};

/** Report entries stay small: a deployment item must fit DynamoDB's 400 KB however it failed. */
const MAX_ENTRY_MESSAGE = 4 * 1024;

const failureEntry = (f: StepFailure, now: string): DeploymentReportEntry => {
  const { code, message: full, application } = describeFailure(f);
  const message = full.length > MAX_ENTRY_MESSAGE ? `${full.slice(0, MAX_ENTRY_MESSAGE)}…` : full;
  return {
    type: 'Error',
    title: f.title ?? `Failed during the ${f.step} step (${code})`,
    message,
    ...(application ? { application } : {}),
    createdAt: now,
  };
};

/**
 * Any failure of either workflow: what a deploy's build started is stopped, and the
 * deployment ends Failed (deploy) or UndeployFailed (undeploy) with an Error entry and its lock
 * released, in one write. An operation already finished (canceled, reaped) is left as it is.
 */
export const failOperation = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  f: StepFailure,
): Promise<void> => {
  const status = e.operation === 'deploy' ? 'Failed' : 'UndeployFailed';
  const { code, message, detail, application } = describeFailure(f);
  if (detail !== undefined) {
    // Only the operator-facing text has the host paths and output lines; the logs keep it whole.
    await deps.logs.append([
      {
        type: 'APPLICATION_TEXT',
        deploymentId: e.deploymentId,
        applicationName: application ?? '',
        severity: 'ERROR',
        timestamp: deps.clock.now().toISOString(),
        details: { message: `[slipway] the ${f.step} step failed (${code}): ${detail}` },
      },
    ]);
  }
  let from: DeploymentStatus = status;
  const next = await transition(
    deps,
    e,
    [...IN_PROGRESS[e.operation]],
    (cur, now) => {
      from = cur.status;
      return { status, ...withReportEntries(cur, [failureEntry(f, now)]) };
    },
    { release: true },
  );
  // What this build started hosting is stopped, after the write (a failing stop is retried
  // with the step, and the deployment is Failed already). Never the build the deployment
  // runs: a retried step that finds it Deployed by this very operation lands here too.
  if (e.operation === 'deploy') {
    const d = next ?? (await deps.deployments.get(e.projectId, e.deploymentId));
    if (d?.hosted?.buildId !== e.operationId)
      await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: e.operationId });
  }
  if (!next) return;
  await record(
    deps,
    next,
    e,
    status,
    { step: 'failed', progress: 100, message, errorCode: code, ...(application ? { application } : {}) },
    { from },
  );
};
