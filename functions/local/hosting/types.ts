import type { Cron } from 'croner';
import type { ProcessSpec } from '../../adapters/runtime/process-runner.ts';
import type { ApplicationHosting, HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';

/** The types shared by the local hosting service and its per-application-type modules. */

export interface HostingOutput {
  deploymentId: string;
  applicationName: string;
  line: string;
  stream: 'stdout' | 'stderr';
}

/** Hands one output line of an application (or a line about it) to `onOutput`. */
export type Say = (line: string, stream: 'stdout' | 'stderr') => void;

/** The deployment's applications (of `buildId` only, or all but `exceptBuildId`'s) to stop. */
export type StopTarget = Parameters<ApplicationHosting['stop']>[0];

export interface PublishResult {
  messageId: string;
  delivered: boolean;
  /** The HTTP status of the last delivery attempt, when the application answered at all. */
  status?: number;
}

export interface HostedProcess {
  pid: number;
  alive: boolean;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Set while stopping, so the exit is not reported as a crash. */
  stopping: boolean;
  exited: Promise<void>;
  /** Its output pipes are closed: every line has been read. */
  closed: Promise<void>;
  lastLines: string[];
  /** Takes the group off the process ledger once it is stopped. */
  forget?: () => void;
}

/** What starting an application of one type gives: its answer, and what runs for it. */
export interface Launched {
  result: HostedApplication;
  port?: number;
  process?: HostedProcess;
  cron?: Cron;
}

export interface Hosted extends Launched {
  request: HostingRequest;
  /** `{ environment, secretValues }`, sealed once per start, as written to the registry. */
  sealed: string;
  /** Epoch ms of the first hosting: the newest build of a deployment receives its topic's messages. */
  hostedAt: number;
}

/** Where started process groups are written down (`ProcessLedger`), so none outlives a crash. */
export interface ProcessRecorder {
  add(pgid: number, about: { kind: 'application'; deploymentId: string; what: string }): void;
  remove(pgid: number): void;
}

/** How the application processes (services, event and job applications) are started. */
export interface LaunchContext {
  /** The local gateway's URL: services are reached through it, at their stable address. */
  publicUrl?: string;
  recorder?: ProcessRecorder;
  /** How the application's process is really started (the sandbox of `npm start`). */
  spawnSpec?: (spec: ProcessSpec) => ProcessSpec;
  /** The port to listen on (restore gives the recorded one back); a free one when absent. */
  port?: number;
  /** How long the process has to answer after it is started. */
  startTimeoutMs: number;
  say: Say;
}

/** What the supervisor reports of a hosted application (`Supervisor`, `./health-checks.ts`). */
export interface Incident {
  kind: 'restarted' | 'crashed' | 'limit' | 'unhealthy' | 'recovered';
  /** What happened, in words a tenant can act on (no host paths). */
  message: string;
}
