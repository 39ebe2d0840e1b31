import {
  HEALTHY,
  type HealthCheck,
  type HealthState,
  healthCheckOf,
  healthMessage,
  nextHealth,
  type ProbeOutcome,
} from '../../core/hosting/health.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import type { Hosted, Incident } from './types.ts';

/**
 * The periodic health checks of the hosted service and event applications that declare one
 * (connect.yaml's `healthCheck`; rules in `core/hosting/health.ts`): once the application is up,
 * a GET of its path every `intervalSeconds`, each check starting only once the previous one has
 * ended (never two at once), none while it is down or being restarted. After
 * `unhealthyThreshold` failures in a row it is reported unhealthy and restarted through the
 * supervisor's backoff; a check passing after that reports it recovered.
 *
 * Timers are unref'd and each check's connection is closed after it, so nothing here keeps
 * `npm start` alive; `unwatch` and `close` clear the timer and end a check in flight.
 */

/** `SLIPWAY_HEALTH_INTERVAL_SCALE`, when set: a number above 0 and at most 1. */
export const intervalScaleFromEnvironment = (): number => {
  const raw = process.env.SLIPWAY_HEALTH_INTERVAL_SCALE;
  if (raw === undefined || raw === '') return 1;
  const scale = Number(raw);
  if (!(scale > 0 && scale <= 1))
    throw new Error(`SLIPWAY_HEALTH_INTERVAL_SCALE must be a number above 0 and at most 1, got '${raw}'`);
  return scale;
};

export interface HealthChecksOptions {
  /** Multiplies every interval (tests shorten them); never the timeout. */
  intervalScale: number;
  /** One check of the application listening on `port` (`probeLoopback`). */
  probe(port: number, check: HealthCheck, signal: AbortSignal): Promise<ProbeOutcome>;
  /** The entry watched under `key` while it is up and may be checked; undefined otherwise. */
  upEntry(key: string): Hosted | undefined;
  /** Ends the application and starts it again after the supervisor's backoff. */
  restart(key: string): Promise<void>;
  onIncident(request: HostingRequest, incident: Incident): void;
}

interface Watched {
  check: HealthCheck;
  state: HealthState;
  timer?: NodeJS.Timeout;
  inFlight?: AbortController;
}

export class HealthChecks {
  private readonly watched = new Map<string, Watched>();

  constructor(private readonly options: HealthChecksOptions) {}

  /** Checks `request`'s application under `key` from one interval on, if it has a health check. */
  watch(key: string, request: HostingRequest): void {
    this.unwatch(key);
    const check = healthCheckOf(request);
    if (!check) return;
    const w: Watched = { check, state: HEALTHY };
    this.watched.set(key, w);
    this.schedule(key, w);
  }

  unwatch(key: string): void {
    const w = this.watched.get(key);
    if (!w) return;
    this.watched.delete(key);
    clearTimeout(w.timer);
    w.inFlight?.abort();
  }

  close(): void {
    for (const key of [...this.watched.keys()]) this.unwatch(key);
  }

  private schedule(key: string, w: Watched): void {
    const delay = Math.max(1, Math.round(w.check.intervalSeconds * 1000 * this.options.intervalScale));
    w.timer = setTimeout(() => void this.run(key, w), delay);
    w.timer.unref();
  }

  private async run(key: string, w: Watched): Promise<void> {
    w.timer = undefined;
    try {
      const entry = this.options.upEntry(key);
      if (entry?.port === undefined) return;
      w.inFlight = new AbortController();
      const outcome = await this.options.probe(entry.port, w.check, w.inFlight.signal);
      w.inFlight = undefined;
      // Unwatched, restarted or gone down meanwhile: the outcome is about a process no longer there.
      if (this.watched.get(key) !== w || this.options.upEntry(key) !== entry) return;
      await this.act(key, w, entry.request, outcome);
    } catch {
      // A restart that failed is the supervisor's to try again; the next check sees the outcome.
    } finally {
      if (this.watched.get(key) === w) this.schedule(key, w);
    }
  }

  private async act(key: string, w: Watched, request: HostingRequest, outcome: ProbeOutcome): Promise<void> {
    const { state, verdict } = nextHealth(w.state, outcome, w.check);
    w.state = state;
    const name = request.applicationName;
    switch (verdict) {
      case 'none':
        return;
      case 'recovered':
        this.options.onIncident(request, {
          kind: 'recovered',
          message: healthMessage(name, w.check, outcome, { healthy: true }),
        });
        return;
      case 'unhealthy':
        this.options.onIncident(request, {
          kind: 'unhealthy',
          message: healthMessage(name, w.check, outcome, { healthy: false, restarting: true }),
        });
        break;
      case 'still-unhealthy':
        this.options.onIncident(request, {
          kind: 'restarted',
          message: `${healthMessage(name, w.check, outcome, { healthy: false })} It is being restarted again.`,
        });
        break;
    }
    await this.options.restart(key);
  }
}
