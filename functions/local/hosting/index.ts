import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { groupAlive, type ProcessSpec } from '../../adapters/runtime/process-runner.ts';
import type { ApplicationHosting, HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';
import { serveApp } from './app-proxy.ts';
import { isOurGroup, stopGroup, stopProcess } from './application-process.ts';
import { launchAssets, serveAsset } from './assets.ts';
import { hostingFailed } from './errors.ts';
import { launchEvent, pushMessage } from './event.ts';
import { isDirectory } from './files.ts';
import { intervalScaleFromEnvironment } from './health-checks.ts';
import { startHostingApi } from './http-api.ts';
import { launchJob } from './job.ts';
import { freePort, portFreed } from './loopback-ports.ts';
import { sayerFor, warn } from './output.ts';
import {
  describeHosted,
  keyOf,
  newestOf,
  openRecord,
  readRegistry,
  sealSecrets,
  writeRegistry,
} from './registry.ts';
import { launchService } from './service.ts';
import { resumed, Standby } from './standby.ts';
import { Supervisor } from './supervisor.ts';
import type {
  Hosted,
  HostingOutput,
  Incident,
  LaunchContext,
  Launched,
  ProcessRecorder,
  PublishResult,
  StopTarget,
} from './types.ts';
import { checkWorkspaceTarget, removeWorkspaces } from './workspace.ts';

export type { HostingOutput, PublishResult } from './types.ts';

/**
 * The local hosting service: runs the applications of deployments as child processes of
 * `npm start` (each in its own process group), gives event applications a local topic that
 * pushes in Google Pub/Sub's push format, calls job applications on their cron schedule, and
 * serves assets applications through the local API gateway. Deploy steps reach it over a small
 * HTTP API (`functions/adapters/hosting/local-hosting.ts`), since they run as Lambda bundles.
 * What each application type needs is in its own module (`service.ts`, `event.ts`, `job.ts`,
 * `assets.ts`); this one keeps the registry of what is hosted and dispatches by type.
 *
 * What is hosted is recorded in `<dataDir>/hosting/registry.json` (environments sealed), so a
 * restart of `npm start` brings everything back (`restore`).
 */

export interface LocalHostingOptions {
  /** The registry lives at `<dataDir>/hosting/registry.json`. */
  dataDir: string;
  /** Builds live at `<workspaceRoot>/<deploymentId>/<buildId>/<applicationName>`; `stop` removes them. */
  workspaceRoot: string;
  /** Base64 AES-256 key sealing the environments in the registry. */
  secretsKey: string;
  /** Bearer token of the HTTP API. */
  token: string;
  /** Every output line of the hosted processes (secret values redacted), job runs and warnings. */
  onOutput?: (output: HostingOutput) => void;
  /** How long an application has to answer after it is started; 30 s by default. */
  startTimeoutMs?: number;
  /** Where every started process group is written down (see `ProcessLedger`). */
  recorder?: ProcessRecorder;
  /** How applications' processes are really started (see `Sandbox`). */
  spawnSpec?: (spec: ProcessSpec) => ProcessSpec;
  /** What one application's process group may use (see `Supervisor`); unwatched without. */
  limits?: { memoryMb: number; processes: number; logLinesPerMinute: number };
  /** Crashes, restarts and limits crossed, as they happen (the deployment's report gets them). */
  onIncident?: (request: HostingRequest, incident: Incident) => void;
  /**
   * Multiplies every health check's interval, for tests only (0 < scale ≤ 1): by default
   * `SLIPWAY_HEALTH_INTERVAL_SCALE`, else 1. Checks run only under the supervisor (`limits`).
   */
  healthIntervalScale?: number;
  /**
   * How long the applications of a replaced build keep running out of traffic, so a rollback
   * to it is a switch (`Standby`); 0 (the default here; `npm start` reads
   * SLIPWAY_STANDBY_SECONDS) stops them at once.
   */
  standbyMs?: number;
}

const matches = (request: HostingRequest, target: StopTarget): boolean =>
  request.deploymentId === target.deploymentId &&
  (target.buildId === undefined || request.buildId === target.buildId) &&
  (target.exceptBuildId === undefined || request.buildId !== target.exceptBuildId);

export class LocalHosting implements ApplicationHosting {
  private readonly key: Buffer;
  private readonly registryFile: string;
  private readonly workspaceRoot: string;
  private readonly startTimeoutMs: number;
  /** In the order first hosted (restore keeps the registry's order). */
  private readonly hosted = new Map<string, Hosted>();
  private readonly starting = new Map<
    string,
    { request: HostingRequest; done: Promise<HostedApplication> }
  >();
  private server: Server | undefined;
  private url: string | undefined;
  private publicUrl: string | undefined;
  private readonly supervisor: Supervisor | undefined;
  private readonly standby: Standby;

  constructor(private readonly options: LocalHostingOptions) {
    this.key = Buffer.from(options.secretsKey, 'base64');
    if (this.key.length !== 32)
      throw new Error('LocalHosting: secretsKey must be a base64 AES-256 key (32 bytes)');
    this.registryFile = join(options.dataDir, 'hosting', 'registry.json');
    this.workspaceRoot = resolve(options.workspaceRoot);
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    const { limits, onIncident } = options;
    this.supervisor =
      limits &&
      new Supervisor({
        memoryMb: limits.memoryMb,
        processes: limits.processes,
        restart: (entry) => this.relaunch(entry),
        kill: async (entry) => {
          if (entry.process) await stopProcess(entry.process);
        },
        onIncident: (request, incident) => onIncident?.(request, incident),
        healthIntervalScale: options.healthIntervalScale ?? intervalScaleFromEnvironment(),
      });
    const supervisor = this.supervisor;
    this.standby = new Standby({
      ms: options.standbyMs ?? 0,
      halt: (entry) => this.halt(entry),
      ...(supervisor && {
        watch: (key, entry, lost) => supervisor.watchParked(key, entry, lost),
        unwatch: (key) => supervisor.unwatch(key),
      }),
    });
  }

  /** Starts an application again after it ended (the supervisor's restart), on its port when free. */
  private async relaunch(entry: Hosted): Promise<Hosted> {
    const key = keyOf(entry.request);
    if (this.hosted.get(key) !== entry) throw new Error('no longer hosted');
    if (entry.process) await stopProcess(entry.process);
    const port = entry.port !== undefined && (await portFreed(entry.port)) ? entry.port : undefined;
    const next = await this.launch(entry.request, { hostedAt: entry.hostedAt, ...(port ? { port } : {}) });
    // Stopped meanwhile: what was started goes too.
    if (this.hosted.get(key) !== entry) {
      await this.halt(next);
      throw new Error('no longer hosted');
    }
    this.hosted.set(key, next);
    this.persist();
    return next;
  }

  /** Starts the HTTP API on a free loopback port; resolves its base URL. */
  async listen(): Promise<string> {
    const server = await startHostingApi(
      {
        host: (request) => this.host(request),
        stop: (target) => this.stopMatching(target),
        list: () => this.list(),
        publish: (topic, data, attributes) => this.publish(topic, data, attributes),
        serveAsset: (req, res) => this.serveAsset(req, res),
      },
      this.options.token,
    );
    this.server = server;
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** The local API gateway's URL, which serves assets applications (`serveAsset`). */
  setPublicUrl(url: string): void {
    this.publicUrl = url.replace(/\/+$/, '');
  }

  async host(request: HostingRequest): Promise<HostedApplication> {
    const key = keyOf(request);
    const existing = this.hosted.get(key);
    if (existing && this.isUp(existing)) return existing.result;
    const inFlight = this.starting.get(key);
    if (inFlight) return inFlight.done;
    const done = (async () => {
      const warm = await this.standby.take(request);
      // A record whose process died (or failed to come back on restore) starts again.
      if (existing) await this.halt(existing);
      const entry = warm
        ? resumed(
            // Sealed again: the registry binds an environment to the build id it is hosted under.
            { ...warm, sealed: sealSecrets(this.key, request) },
            sayerFor(this.options.onOutput, request, this.options.limits?.logLinesPerMinute),
          )
        : await this.launch(request, { hostedAt: existing?.hostedAt ?? Date.now() });
      this.hosted.set(key, entry);
      this.persist();
      if (entry.process) this.supervisor?.watch(key, entry);
      return entry.result;
    })().finally(() => this.starting.delete(key));
    this.starting.set(key, { request, done });
    return done;
  }

  /**
   * Stops what matches (the deployment's applications, of `buildId` only, or all but
   * `exceptBuildId`'s), forgets them and removes their build directories (the one of `buildId`
   * even when nothing of it was hosted: a failed build leaves its workspace) unless `keepFiles`
   * asks to keep them for a rollback.
   */
  async stop(target: StopTarget): Promise<void> {
    await this.stopMatching(target);
  }

  /** `stop`, counting the applications stopped (the HTTP API answers the count). */
  private async stopMatching(target: StopTarget): Promise<number> {
    // Checked before anything is stopped: an id that climbs out of the workspace throws here.
    checkWorkspaceTarget(this.workspaceRoot, target);
    // A host still starting would otherwise come up after its stop.
    await Promise.allSettled(
      [...this.starting.values()].filter((s) => matches(s.request, target)).map((s) => s.done),
    );
    const victims = [...this.hosted].filter(([, entry]) => matches(entry.request, target));
    for (const [key] of victims) {
      this.hosted.delete(key);
      this.supervisor?.unwatch(key);
    }
    this.persist();
    // A replaced build (its files kept for a rollback) waits on standby; anything else stops.
    if (target.keepFiles) await this.standby.park(victims);
    else
      await Promise.all([
        ...victims.map(([, entry]) => this.halt(entry)),
        this.standby.drop((request) => matches(request, target)),
      ]);
    if (!target.keepFiles) removeWorkspaces(this.workspaceRoot, target);
    return victims.length;
  }

  /**
   * Publishes to a local topic: one push to the newest build's event application, retried up
   * to three times on a connection error or a non-2xx answer. Undefined for an unknown topic.
   */
  async publish(
    topic: string,
    data: unknown,
    attributes: Record<string, string> = {},
  ): Promise<PublishResult | undefined> {
    // A redeploy overlapping the previous build: only the newest build receives the topic's messages.
    const subscriber = newestOf(
      this.hosted.values(),
      (e) => e.request.applicationType === 'event' && e.result.topic === topic,
    );
    if (!subscriber) return undefined;
    return pushMessage(
      subscriber,
      topic,
      data,
      attributes,
      sayerFor(this.options.onOutput, subscriber.request),
    );
  }

  /** What is hosted, without environments (the HTTP API's `GET /applications`). */
  list() {
    return [...this.hosted.values()].map(describeHosted);
  }

  /**
   * Starts again what the registry holds (after a restart of `npm start`) and `serves` says its
   * deployment serves: stale process groups of a previous run that died without `close` are
   * killed first; each application gets its recorded port back when it is free. One that does
   * not come back is reported and stays in the registry, so the next `host` of it or the next
   * restore tries again. What is not served is forgotten.
   */
  async restore(serves: (request: HostingRequest) => Promise<boolean> = async () => true): Promise<void> {
    const restored: Hosted[] = [];
    const stale: Promise<void>[] = [];
    for (const record of readRegistry(this.registryFile)) {
      let entry: Hosted;
      try {
        entry = openRecord(this.key, record);
      } catch (error) {
        warn(
          this.options.onOutput,
          record.request,
          `cannot restore: its registry entry does not open (${(error as Error).message})`,
        );
        continue;
      }
      const { request } = entry;
      // A previous run that died without `close` left its applications running (they hold the ports).
      if (record.pid !== undefined && groupAlive(record.pid) && isOurGroup(record.pid, request.bundle))
        stale.push(stopGroup(record.pid));
      // Only the build its deployment serves comes back: one a dead workflow was still hosting
      // does not (the reaper fails that operation, and its stop removes the workspace).
      if (!(await serves(request))) continue;
      this.hosted.set(keyOf(request), entry);
      restored.push(entry);
    }
    await Promise.all(stale);
    await Promise.all(
      restored.map(async (previous) => {
        const { request } = previous;
        try {
          let port = previous.port;
          if (port !== undefined && !(await portFreed(port))) {
            const taken = port;
            port = await freePort();
            warn(
              this.options.onOutput,
              request,
              `port ${taken} is taken; '${request.applicationName}' now answers on port ${port}`,
            );
          }
          const entry = await this.launch(request, { hostedAt: previous.hostedAt, port });
          this.hosted.set(keyOf(request), entry);
          if (entry.process) this.supervisor?.watch(keyOf(request), entry);
        } catch (error) {
          warn(this.options.onOutput, request, `did not come back: ${(error as Error).message}`);
        }
      }),
    );
    this.persist();
  }

  /** Stops every process, cron job and the HTTP API; the registry stays for `restore`. */
  async close(): Promise<void> {
    this.supervisor?.close();
    await Promise.allSettled([...this.starting.values()].map((s) => s.done));
    await Promise.all([...this.hosted.values()].map((entry) => this.halt(entry)));
    await this.standby.close();
    const server = this.server;
    this.server = undefined;
    if (server)
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
  }

  /**
   * Serves `/assets/<deploymentId>/<applicationName>/<path>` from the newest build of that
   * assets application, read-only. False (not handled) when no such application is hosted.
   */
  serveAsset(req: IncomingMessage, res: ServerResponse): boolean {
    return serveAsset(req, res, this.hosted.values());
  }

  /** Serves a service's stable address (`/apps/…`); false when no service has that address. */
  serveApp(req: IncomingMessage, res: ServerResponse): boolean {
    return serveApp(req, res, () => this.hosted.values());
  }

  /** Starts one application (its process, topic or schedule); throws `ApplicationHostingFailed`. */
  private async launch(request: HostingRequest, at: { hostedAt: number; port?: number }): Promise<Hosted> {
    if (!isDirectory(request.bundle))
      throw hostingFailed(request, `bundle directory ${request.bundle} not found`);
    const sealed = sealSecrets(this.key, request);
    const context: LaunchContext = {
      ...(this.publicUrl ? { publicUrl: this.publicUrl } : {}),
      startTimeoutMs: this.startTimeoutMs,
      say: sayerFor(this.options.onOutput, request, this.options.limits?.logLinesPerMinute),
      ...(this.options.recorder ? { recorder: this.options.recorder } : {}),
      ...(this.options.spawnSpec ? { spawnSpec: this.options.spawnSpec } : {}),
    };
    if (at.port !== undefined) context.port = at.port;
    return { request, sealed, hostedAt: at.hostedAt, ...(await this.launchByType(request, context)) };
  }

  private async launchByType(request: HostingRequest, context: LaunchContext): Promise<Launched> {
    switch (request.applicationType) {
      case 'service':
        return launchService(request, context);
      case 'event':
        return launchEvent(request, context);
      case 'job':
        return launchJob(request, context);
      case 'assets':
        return launchAssets(request, this.publicUrl ?? this.url ?? '');
    }
  }

  /** Stops an entry's schedule and process group; safe to call on anything. */
  private async halt(entry: Hosted): Promise<void> {
    entry.cron?.stop();
    if (entry.process) await stopProcess(entry.process);
  }

  private isUp(entry: Hosted): boolean {
    return entry.request.applicationType === 'assets' || entry.process?.alive === true;
  }

  private persist(): void {
    writeRegistry(this.registryFile, this.hosted.values());
  }
}
