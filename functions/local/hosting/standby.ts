import { isDeepStrictEqual } from 'node:util';
import { groupAlive } from '../../adapters/runtime/process-runner.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { resumeSchedule } from './job.ts';
import { keyOf } from './registry.ts';
import type { Hosted, Say } from './types.ts';

/**
 * Warm standby: the applications of the build a redeploy, rollback or promote just replaced
 * keep running for a while, out of traffic, so that rolling back to it only switches its
 * address back (Vercel's "instant rollback" keeps the previous deployment live the same way).
 * Without it a rollback to a kept build still starts every process and waits for it to answer,
 * which for a small connector is most of what a deploy costs.
 *
 * Bounded on purpose: one parked build per deployment (the one replaced last, the likeliest
 * target), for `ms` (SLIPWAY_STANDBY_SECONDS, 10 minutes by default; 0 turns it off). A parked
 * application receives no requests, no topic messages and no job runs; the supervisor still
 * ends it at its limits (`Supervisor.watchParked`). Deleting the deployment, the end of
 * `npm start` or the end of the window stops it. Only what runs exactly the same request
 * (build, files, environment) is taken back; anything else starts afresh.
 */
export class Standby {
  private readonly parked = new Map<string, { entry: Hosted; timer: NodeJS.Timeout }>();

  constructor(
    private readonly options: {
      ms: number;
      /** Stops an entry's process group (and schedule). */
      halt(entry: Hosted): Promise<void>;
      /** Called for each entry parked (so limits stay watched) and unparked. */
      watch?(key: string, entry: Hosted, lost: () => void): void;
      unwatch?(key: string): void;
    },
  ) {}

  get enabled(): boolean {
    return this.options.ms > 0;
  }

  /**
   * Parks `entries` (all of one deployment's replaced build) and stops any other build of that
   * deployment parked before. Entries without a running process are not parked: they are
   * halted, like everything when standby is off.
   */
  async park(entries: [string, Hosted][]): Promise<void> {
    const running = this.enabled ? entries.filter(([, e]) => e.process?.alive && !e.process.stopping) : [];
    const rest = entries.filter((pair) => !running.includes(pair));
    const builds = new Set(running.map(([, e]) => `${e.request.deploymentId}/${e.request.buildId}`));
    await Promise.all([
      ...rest.map(([, e]) => this.options.halt(e)),
      this.drop(
        (r) =>
          running.some(([, e]) => e.request.deploymentId === r.deploymentId) &&
          !builds.has(`${r.deploymentId}/${r.buildId}`),
      ),
    ]);
    for (const [key, entry] of running) {
      // A parked job runs no schedule; it gets one again when it is taken back.
      entry.cron?.stop();
      delete entry.cron;
      const timer = setTimeout(() => void this.drop((r) => keyOf(r) === key), this.options.ms);
      timer.unref();
      this.parked.set(key, { entry, timer });
      this.options.watch?.(key, entry, () => this.forget(key));
    }
  }

  /**
   * A parked entry that runs exactly `request` but for its build id, taken out of standby and
   * answering to `request` (a rollback hosts a kept build under its own operation's id, with the
   * files, configuration and address of the revision it restores); undefined when there is
   * none. A parked application of the same deployment that differs is stopped.
   */
  async take(request: HostingRequest): Promise<Hosted | undefined> {
    const same = (r: HostingRequest) =>
      r.deploymentId === request.deploymentId && r.applicationName === request.applicationName;
    const found = [...this.parked].find(([, p]) => same(p.entry.request));
    if (!found) return undefined;
    const [key, { entry }] = found;
    this.forget(key);
    const proc = entry.process;
    // Its exit may not have been seen yet: the group itself is asked too.
    if (
      proc?.alive &&
      !proc.stopping &&
      groupAlive(proc.pid) &&
      isDeepStrictEqual({ ...entry.request, buildId: request.buildId }, request)
    )
      return { ...entry, request };
    await this.options.halt(entry);
    return undefined;
  }

  /** Stops every parked entry whose request `matches`. */
  async drop(matches: (request: HostingRequest) => boolean): Promise<void> {
    const victims = [...this.parked].filter(([, p]) => matches(p.entry.request));
    for (const [key] of victims) this.forget(key);
    await Promise.all(victims.map(([, p]) => this.options.halt(p.entry)));
  }

  /** Stops everything parked. */
  close(): Promise<void> {
    return this.drop(() => true);
  }

  private forget(key: string): void {
    const parked = this.parked.get(key);
    if (!parked) return;
    clearTimeout(parked.timer);
    this.parked.delete(key);
    this.options.unwatch?.(key);
  }
}

/** A parked entry back in service: the newest of its deployment, a job's schedule running again. */
export const resumed = (entry: Hosted, say: Say): Hosted => {
  const { request } = entry;
  say(
    `[slipway] '${request.applicationName}' is back from standby: its processes were still running`,
    'stdout',
  );
  const back: Hosted = { ...entry, hostedAt: Date.now() };
  if (request.applicationType === 'job' && entry.port !== undefined)
    back.cron = resumeSchedule(request, entry.port, say);
  return back;
};

/** `SLIPWAY_STANDBY_SECONDS` (0–3600; 600 when unset) in milliseconds. */
export const standbyMsFromEnvironment = (value = process.env.SLIPWAY_STANDBY_SECONDS): number => {
  if (value === undefined || value === '') return 600_000;
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 3600)
    throw new Error(
      `SLIPWAY_STANDBY_SECONDS must be a whole number of seconds from 0 to 3600, not '${value}'`,
    );
  return seconds * 1000;
};
