/** Where builds and scripts run and where applications are hosted: this machine locally, CodeBuild and Lambda on AWS. */
import type { HealthCheckTiming } from '../connectors/spec.ts';

/**
 * Runs build and script commands where builds run: this machine for `npm start`, a CodeBuild
 * container on AWS (the same code, started by the state machine's CodeBuild integration).
 */
export interface CommandRunner {
  /**
   * Runs `command` with `sh -c` in `cwd` with exactly `env` (plus PATH and HOME), kills the
   * whole process group after `timeoutMs`, and hands every output line to `onLine`.
   */
  run(input: {
    command: string;
    cwd: string;
    env: Record<string, string>;
    timeoutMs: number;
    onLine: (line: string, stream: 'stdout' | 'stderr') => void;
    /** Stops the command (its whole process group) early: `aborted` in the result. */
    signal?: AbortSignal;
    /** Called with the process group's id as the command starts, before anything is awaited. */
    onSpawn?: (pgid: number) => void;
  }): Promise<{
    exitCode: number | null;
    timedOut: boolean;
    aborted?: boolean;
    /** Why the runner stopped the command itself, when it did (a limit it crossed). */
    stoppedFor?: string;
  }>;
}

export type HostedApplicationType = 'service' | 'event' | 'job' | 'assets';

/** One built application to host, with its whole environment (secured values decrypted). */
export interface HostingRequest {
  /**
   * The tenant owning the deployment, which the workflow always gives: on AWS the deployment's
   * functions run under a role limited to it. Optional because the local hosting service runs
   * every application as this machine's user, scopes nothing by tenant, and its API takes none.
   */
  tenant?: string;
  projectId: string;
  deploymentId: string;
  /** The operation (`details.build.id`) that hosts it; a redeploy hosts a new build beside the old. */
  buildId: string;
  applicationName: string;
  applicationType: HostedApplicationType;
  /** The built application: a directory on this machine locally, an object key on AWS. */
  bundle: string;
  /** Where the application answers (service, event, job), from connect.yaml. */
  endpoint?: string;
  healthCheckPath?: string;
  /** The health check's timing once the application is up (connect.yaml's `healthCheck`). */
  healthCheck?: HealthCheckTiming;
  /** Job applications: the cron schedule to call `endpoint` on. */
  schedule?: string;
  /**
   * The path a service is reached at whatever build serves it (`/apps/<projectKey>/<deployment
   * key or id>/<applicationName>`): its `url` survives redeploys and rollbacks.
   */
  address?: string;
  environment: Record<string, string>;
  /** Values (the decrypted secured ones) that must never appear in captured output. */
  secretValues?: string[];
}

/** What a hosted application is reachable as: Connect's `url`, `topic` or `schedule`. */
export interface HostedApplication {
  url?: string;
  /**
   * Where the application itself answers, when `url` is an address in front of it (on AWS a
   * service's `url` is its stable address on the distribution, and this its build's function
   * URL, where that address forwards). Internal.
   */
  origin?: string;
  topic?: string;
  schedule?: string;
}

/** What `stop` stops: a deployment's applications, of one build, or all but one build's. */
export interface StopTarget {
  deploymentId: string;
  buildId?: string;
  exceptBuildId?: string;
  /**
   * Leave the stopped builds' files where they are (locally their build directories; on AWS
   * build bundles are never removed by `stop`): a kept build can be hosted again by a rollback
   * or a promote without building it. `BuildFiles.discard` removes them when retention says so.
   */
  keepFiles?: boolean;
}

/**
 * Hosts applications: child processes, a local topic and a cron scheduler on this machine;
 * Lambda, SQS/SNS and EventBridge Scheduler on AWS (issue 6). Both are idempotent: hosting
 * the same build's application twice answers the same way, stopping what is gone is a no-op.
 */
export interface ApplicationHosting {
  /** Starts the application and resolves once it answers (services) or is scheduled (jobs). */
  host(request: HostingRequest): Promise<HostedApplication>;
  /**
   * Stops and removes a deployment's applications: those of one build (`buildId`), all but one
   * build (`exceptBuildId`, after a redeploy is up), or all of them.
   */
  stop(target: StopTarget): Promise<void>;
}
