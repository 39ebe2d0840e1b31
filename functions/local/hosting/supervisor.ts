import type { HealthCheck, ProbeOutcome } from '../../core/hosting/health.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { listensPublicly, processesByGroup, publicListenerInodes } from '../proc-table.ts';
import { HealthChecks } from './health-checks.ts';
import { probeLoopback } from './health-probe.ts';
import type { Hosted, Incident } from './types.ts';

/**
 * Watches the hosted applications that run as processes, as a platform's supervisor would:
 * once a second it looks at each application's process group (from /proc) and
 *
 * - restarts an application whose process ended, with exponential backoff (1 s, 2 s, 4 s …
 *   up to 30 s); after `crashLimit` ends within `crashWindowMs` it stops trying and reports the
 *   application crashed;
 * - ends and restarts one that uses more memory (resident, the whole group) or more processes
 *   than its limits, or that listens on an address other than loopback;
 * - checks the health of a service or event application that declares a health check
 *   (`./health-checks.ts`) and restarts one that fails it, with the same backoff; that is not
 *   counted as an end, so a failing health check alone never makes it give up;
 *
 * and reports each of these (`onIncident`), so the deployment's report says what happened.
 * Linux only (/proc); elsewhere it only restarts what ended.
 */

export interface SupervisorOptions {
  memoryMb: number;
  processes: number;
  /** Ends in this many within `crashWindowMs` and the application is reported crashed. */
  crashLimit?: number;
  crashWindowMs?: number;
  intervalMs?: number;
  /** Starts the entry's application again (same request, same port when free). */
  restart(entry: Hosted): Promise<Hosted>;
  /** Ends the entry's process group. */
  kill(entry: Hosted): Promise<void>;
  onIncident(request: HostingRequest, incident: Incident): void;
  /** Multiplies every health check's interval (tests shorten them); 1 by default. */
  healthIntervalScale?: number;
  /** One health check (tests pass their own); a GET on loopback by default. */
  probe?: (port: number, check: HealthCheck, signal: AbortSignal) => Promise<ProbeOutcome>;
}

interface Watched {
  entry: Hosted;
  /** A parked application (warm standby): ended at its limits or its end, never restarted. */
  parked?: () => void;
  ends: number[];
  /** When the next restart is due (while the application is down). */
  restartAt?: number;
  attempt: number;
  gaveUp: boolean;
  busy: boolean;
}

/** Before the restart after the `attempt`th (from 0): 1 s, 2 s, 4 s … at most 30 s. */
const backoffMs = (attempt: number) => Math.min(30_000, 1_000 * 2 ** attempt);

export class Supervisor {
  private readonly watched = new Map<string, Watched>();
  private timer: NodeJS.Timeout | undefined;
  private readonly health: HealthChecks;

  constructor(private readonly options: SupervisorOptions) {
    this.health = new HealthChecks({
      intervalScale: options.healthIntervalScale ?? 1,
      probe: options.probe ?? probeLoopback,
      upEntry: (key) => this.upEntry(key),
      restart: (key) => this.restartUnhealthy(key),
      onIncident: (request, incident) => options.onIncident(request, incident),
    });
  }

  watch(key: string, entry: Hosted): void {
    const known = this.watched.get(key);
    this.watched.set(key, { entry, ends: known?.ends ?? [], attempt: 0, gaveUp: false, busy: false });
    this.ticking();
    this.health.watch(key, entry.request);
  }

  /**
   * Watches a parked application (`Standby`) for its limits only: no health checks, no
   * restarts, no report entries (it serves nothing). When it ends or crosses a limit it is
   * ended and `lost` is called.
   */
  watchParked(key: string, entry: Hosted, lost: () => void): void {
    this.health.unwatch(key);
    this.watched.set(key, { entry, ends: [], attempt: 0, gaveUp: false, busy: false, parked: lost });
    this.ticking();
  }

  private ticking(): void {
    this.timer ??= setInterval(() => void this.tick(), this.options.intervalMs ?? 1_000);
    this.timer.unref();
  }

  unwatch(key: string): void {
    this.watched.delete(key);
    this.health.unwatch(key);
  }

  /** Whether the application is up, or down and waiting to be started again. */
  isDown(key: string): boolean {
    const w = this.watched.get(key);
    return w !== undefined && w.entry.process?.alive !== true;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
    this.health.close();
  }

  /** The entry under `key` while its process runs and nothing is being done to it (health checks). */
  private upEntry(key: string): Hosted | undefined {
    const w = this.watched.get(key);
    const proc = w?.entry.process;
    if (!w || w.busy || w.gaveUp || w.restartAt !== undefined || !proc?.alive || proc.stopping)
      return undefined;
    return w.entry;
  }

  /**
   * Ends an application that failed its health check and starts it again after its backoff,
   * as after a limit (the tick starts it when due). Not counted as an end: a process that keeps
   * failing its check is restarted again and again (the backoff grows to 30 s), never given up.
   */
  private async restartUnhealthy(key: string): Promise<void> {
    const w = this.watched.get(key);
    const proc = w && this.upEntry(key)?.process;
    if (!w || !proc) return;
    w.busy = true;
    try {
      await this.options.kill(w.entry);
      proc.alive = false;
      w.restartAt = Date.now() + backoffMs(w.attempt);
    } finally {
      w.busy = false;
    }
  }

  private async tick(): Promise<void> {
    const groups = processesByGroup();
    // Read at most once a tick, and only when an application is left to check.
    let listening: Set<string> | undefined;
    const publicListening = () => {
      listening ??= publicListenerInodes();
      return listening;
    };
    const now = Date.now();
    for (const [key, w] of this.watched) {
      if (w.busy || w.gaveUp) continue;
      const proc = w.entry.process;
      if (!proc) continue;
      if (w.parked && !proc.alive) {
        this.watched.delete(key);
        w.parked();
        continue;
      }
      // Down and waiting for its restart (after a crash, or after it was stopped for a limit).
      if (w.restartAt !== undefined) {
        await this.onEnded(key, w, now);
        continue;
      }
      if (proc.stopping) continue;
      if (!proc.alive) {
        await this.onEnded(key, w, now);
        continue;
      }
      const members = groups.get(proc.pid) ?? [];
      const rssMb = members.reduce((sum, p) => sum + p.rssKb, 0) / 1024;
      const breach =
        rssMb > this.options.memoryMb
          ? `it used ${Math.round(rssMb)} MB of memory, over its limit of ${this.options.memoryMb} MB`
          : members.length > this.options.processes
            ? `it ran ${members.length} processes, over its limit of ${this.options.processes}`
            : listensPublicly(
                  members.map((p) => p.pid),
                  publicListening(),
                )
              ? 'it listened on an address other than 127.0.0.1 (hosted applications listen on loopback; HOST says where)'
              : undefined;
      if (!breach) continue;
      if (w.parked) {
        this.watched.delete(key);
        w.parked();
        await this.options.kill(w.entry);
        continue;
      }
      w.busy = true;
      try {
        this.options.onIncident(w.entry.request, {
          kind: 'limit',
          message: `Stopped '${w.entry.request.applicationName}': ${breach}.`,
        });
        await this.options.kill(w.entry);
        proc.alive = false;
        await this.onEnded(key, w, Date.now(), true);
      } finally {
        w.busy = false;
      }
    }
  }

  /** An application's process ended: restart it after its backoff, or give up on a crash loop. */
  private async onEnded(key: string, w: Watched, now: number, counted = false): Promise<void> {
    if (w.restartAt === undefined) {
      const window = this.options.crashWindowMs ?? 5 * 60_000;
      w.ends = [...w.ends.filter((t) => now - t < window), now];
      if (w.ends.length >= (this.options.crashLimit ?? 5)) {
        w.gaveUp = true;
        this.options.onIncident(w.entry.request, {
          kind: 'crashed',
          message: `'${w.entry.request.applicationName}' ended ${w.ends.length} times within ${Math.round(window / 60_000)} minutes and is no longer restarted; its output is in the deployment logs. Redeploy to start it again.`,
        });
        return;
      }
      w.restartAt = now + backoffMs(w.attempt);
      if (!counted) {
        const proc = w.entry.process;
        const how = proc?.signal ? `was killed by ${proc.signal}` : `exited with code ${proc?.exitCode}`;
        this.options.onIncident(w.entry.request, {
          kind: 'restarted',
          message: `'${w.entry.request.applicationName}' ${how}; it is being restarted (its output is in the deployment logs).`,
        });
      }
      return;
    }
    if (now < w.restartAt) return;
    w.busy = true;
    try {
      const entry = await this.options.restart(w.entry);
      this.watched.set(key, { entry, ends: w.ends, attempt: w.attempt + 1, gaveUp: false, busy: false });
      // A restart that holds for a minute clears the backoff.
      setTimeout(() => {
        const current = this.watched.get(key);
        if (current?.entry === entry && entry.process?.alive) current.attempt = 0;
      }, 60_000).unref();
    } catch {
      w.restartAt = Date.now() + backoffMs(w.attempt + 1);
      w.attempt++;
    } finally {
      w.busy = false;
    }
  }
}
