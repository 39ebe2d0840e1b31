import { spawn } from 'node:child_process';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import { once } from 'node:events';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Cron } from 'croner';
import { z } from 'zod';
import { openWith, sealWith } from '../adapters/crypto/aes-gcm.ts';
import {
  childEnvironment,
  forEachLine,
  groupAlive,
  signalGroup,
} from '../adapters/runtime/process-runner.ts';
import { nodeEntryPoint, redactor } from '../core/hosting/build-rules.ts';
import { ApplicationHostingFailed } from '../core/hosting/errors.ts';
import { normalisePath, pubSubPushBody } from '../core/hosting/hosted-events.ts';
import type { ApplicationHosting, HostedApplication, HostingRequest } from '../core/hosting/ports.ts';

/**
 * The local hosting service: runs the applications of deployments as child processes of
 * `npm start` (each in its own process group), gives event applications a local topic that
 * pushes in Google Pub/Sub's push format, calls job applications on their cron schedule, and
 * serves assets applications through the local API gateway. Deploy steps reach it over a small
 * HTTP API (`functions/adapters/hosting/local-hosting.ts`), since they run as Lambda bundles.
 *
 * What is hosted is recorded in `<dataDir>/hosting/registry.json` (environments sealed), so a
 * restart of `npm start` brings everything back (`restore`).
 */

export interface HostingOutput {
  deploymentId: string;
  applicationName: string;
  line: string;
  stream: 'stdout' | 'stderr';
}

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
}

/** Lines kept per process for the message of a failed start. */
const LAST_LINES = 15;
/** Between SIGTERM and SIGKILL when stopping a hosted application. */
const STOP_GRACE_MS = 5_000;
/** How long restore waits for a recorded port to be released before moving to another. */
const PORT_RELEASE_MS = 3_000;
const DELIVERY_ATTEMPTS = 3;
const DELIVERY_TIMEOUT_MS = 30_000;
const MAX_BODY_BYTES = 10 * 1024 * 1024;
const REGISTRY_VERSION = 1;

/** Ids become path segments and topic names: nothing that can climb out of a directory. */
const PathSegment = z.string().regex(/^(?!\.{1,2}$)[\w.-]{1,128}$/, 'letters, digits, ".", "_" or "-"');

const HostingRequestBody = z.strictObject({
  projectId: z.string().min(1),
  deploymentId: PathSegment,
  buildId: PathSegment,
  applicationName: PathSegment,
  applicationType: z.enum(['service', 'event', 'job', 'assets']),
  bundle: z.string().min(1),
  endpoint: z.string().optional(),
  healthCheckPath: z.string().optional(),
  schedule: z.string().optional(),
  environment: z.record(z.string(), z.string()),
  secretValues: z.array(z.string()).optional(),
});

const StopBody = z.strictObject({
  deploymentId: PathSegment,
  buildId: PathSegment.optional(),
  exceptBuildId: PathSegment.optional(),
});

const MessageBody = z.strictObject({
  data: z.json(),
  attributes: z.record(z.string(), z.string()).optional(),
});

type StopTarget = z.infer<typeof StopBody>;

export interface PublishResult {
  messageId: string;
  delivered: boolean;
  /** The HTTP status of the last delivery attempt, when the application answered at all. */
  status?: number;
}

interface HostedProcess {
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
}

interface Hosted {
  request: HostingRequest;
  /** `{ environment, secretValues }`, sealed once per start, as written to the registry. */
  sealed: string;
  result: HostedApplication;
  /** Epoch ms of the first hosting: the newest build of a deployment receives its topic's messages. */
  hostedAt: number;
  port?: number;
  process?: HostedProcess;
  cron?: Cron;
}

interface RegistryRecord {
  request: Omit<HostingRequest, 'environment' | 'secretValues'>;
  sealed: string;
  port?: number;
  pid?: number;
  result: HostedApplication;
  hostedAt: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

const keyOf = (r: { deploymentId: string; buildId: string; applicationName: string }) =>
  `${r.deploymentId}/${r.buildId}/${r.applicationName}`;

const aadOf = (r: { deploymentId: string; buildId: string; applicationName: string }) =>
  `hosting:${r.deploymentId}:${r.buildId}:${r.applicationName}`;

export const topicOf = (r: { deploymentId: string; applicationName: string }) =>
  `slipway-${r.deploymentId}-${r.applicationName}`;

const matches = (request: HostingRequest, target: StopTarget): boolean =>
  request.deploymentId === target.deploymentId &&
  (target.buildId === undefined || request.buildId === target.buildId) &&
  (target.exceptBuildId === undefined || request.buildId !== target.exceptBuildId);

/** The reason given to `ApplicationHostingFailed`, without the message's prefix. */
const reasons = new WeakMap<Error, string>();
const hostingFailed = (request: HostingRequest, reason: string): ApplicationHostingFailed => {
  const error = new ApplicationHostingFailed(request.applicationName, reason);
  reasons.set(error, reason);
  return error;
};

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

const listenOn = (port: number): Promise<number | undefined> =>
  new Promise((resolveWith) => {
    const server = createNetServer();
    server.unref();
    server.once('error', () => resolveWith(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      server.close(() => resolveWith(bound));
    });
  });

/**
 * Whether `port` can be listened on, waiting a little: a killed process may hold its listening
 * socket until it is reaped, and orphans are reaped by PID 1, in some containers a second later.
 */
const portFreed = async (port: number): Promise<boolean> => {
  const deadline = Date.now() + PORT_RELEASE_MS;
  while ((await listenOn(port)) === undefined) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
};

const freePort = async (): Promise<number> => {
  const port = await listenOn(0);
  if (port === undefined) throw new Error('No free loopback port');
  return port;
};

/** Waits (polling: the group's members other than the leader are not our children) until the group is gone. */
const groupGone = async (pid: number, withinMs: number): Promise<boolean> => {
  const deadline = Date.now() + withinMs;
  while (groupAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await delay(25);
  }
  return true;
};

/** SIGTERM, then SIGKILL after the grace period; resolves once nothing of the group runs. */
const stopGroup = async (pid: number): Promise<void> => {
  if (!signalGroup(pid, 'SIGTERM')) return;
  if (await groupGone(pid, STOP_GRACE_MS)) return;
  signalGroup(pid, 'SIGKILL');
  await groupGone(pid, 2_000);
};

/**
 * Whether a recorded process group is still one of ours. On Linux the recorded leader, when it
 * still exists, must run in the application's directory: its pid may have been reused by an
 * unrelated program since. A pid that still names a group without its leader cannot have been
 * reused (Linux does not hand out a pid in use as a process group id).
 */
const isOurGroup = (pid: number, bundle: string): boolean => {
  // Without /proc (macOS) there is no telling whose group a recorded pid leads now: leave it.
  if (!existsSync('/proc/self') || !existsSync(`/proc/${pid}`)) return false;
  try {
    return realpathSync(`/proc/${pid}/cwd`) === realpathSync(bundle);
  } catch {
    return false;
  }
};

/** How to start the application in `bundle`: `npm start` when it has a start script, else `node <entry>`. */
const startCommand = (request: HostingRequest): { command: string; args: string[] } => {
  const bundle = request.bundle;
  let manifest: { main?: unknown; scripts?: { start?: unknown } } = {};
  const manifestFile = join(bundle, 'package.json');
  if (existsSync(manifestFile)) {
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch (error) {
      throw hostingFailed(request, `package.json is not valid JSON: ${(error as Error).message}`);
    }
  }
  if (typeof manifest.scripts?.start === 'string') return { command: 'npm', args: ['start'] };
  const entry = nodeEntryPoint(manifest as Parameters<typeof nodeEntryPoint>[0], (file) =>
    isFile(join(bundle, file)),
  );
  if (entry) return { command: process.execPath, args: [entry] };
  throw hostingFailed(
    request,
    `no entry point in ${bundle}: no "start" script, and none of package.json "main", server.js, index.js exists`,
  );
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

class BadRequest extends Error {}

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('Body is not valid JSON');
  }
};

const parseBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new BadRequest(z.prettifyError(parsed.error));
  return parsed.data;
};

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

  constructor(private readonly options: LocalHostingOptions) {
    this.key = Buffer.from(options.secretsKey, 'base64');
    if (this.key.length !== 32)
      throw new Error('LocalHosting: secretsKey must be a base64 AES-256 key (32 bytes)');
    this.registryFile = join(options.dataDir, 'hosting', 'registry.json');
    this.workspaceRoot = resolve(options.workspaceRoot);
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
  }

  /** Starts the HTTP API on a free loopback port; resolves its base URL. */
  async listen(): Promise<string> {
    const server = createServer((req, res) => {
      void this.handle(req, res).catch((error: Error) => {
        if (!res.headersSent) json(res, 500, { message: error.message });
        else res.destroy();
      });
    });
    await new Promise<void>((ready, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => ready());
    });
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
      // A record whose process died (or failed to come back on restore) starts again.
      if (existing) await this.halt(existing);
      const entry = await this.launch(request, { hostedAt: existing?.hostedAt ?? Date.now() });
      this.hosted.set(key, entry);
      this.persist();
      return entry.result;
    })().finally(() => this.starting.delete(key));
    this.starting.set(key, { request, done });
    return done;
  }

  /**
   * Stops what matches (the deployment's applications, of `buildId` only, or all but
   * `exceptBuildId`'s), forgets them and removes their build directories (the one of `buildId`
   * even when nothing of it was hosted: a failed build leaves its workspace).
   */
  async stop(target: StopTarget): Promise<void> {
    await this.stopMatching(target);
  }

  /** `stop`, counting the applications stopped (the HTTP API answers the count). */
  private async stopMatching(target: StopTarget): Promise<number> {
    const deploymentDir = this.workspacePath(target.deploymentId);
    // Checked before anything is stopped: an id that climbs out of the workspace throws here.
    for (const build of [target.buildId, target.exceptBuildId])
      if (build !== undefined) this.workspacePath(target.deploymentId, build);
    // A host still starting would otherwise come up after its stop.
    await Promise.allSettled(
      [...this.starting.values()].filter((s) => matches(s.request, target)).map((s) => s.done),
    );
    const victims = [...this.hosted].filter(([, entry]) => matches(entry.request, target));
    for (const [key] of victims) this.hosted.delete(key);
    this.persist();
    await Promise.all(victims.map(([, entry]) => this.halt(entry)));

    if (target.buildId === undefined && target.exceptBuildId === undefined) {
      rmSync(deploymentDir, { recursive: true, force: true });
    } else if (target.buildId !== undefined) {
      if (target.buildId !== target.exceptBuildId)
        rmSync(this.workspacePath(target.deploymentId, target.buildId), { recursive: true, force: true });
    } else if (isDirectory(deploymentDir)) {
      // Every other build's workspace, failed builds' included: the kept build is the live one.
      for (const build of readdirSync(deploymentDir))
        if (build !== target.exceptBuildId)
          rmSync(this.workspacePath(target.deploymentId, build), { recursive: true, force: true });
    }
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
    const target = this.subscriberOf(topic);
    if (!target) return undefined;
    const messageId = randomUUID();
    const body = pubSubPushBody({
      data: JSON.stringify(data),
      messageId,
      publishTime: new Date().toISOString(),
      attributes,
      subscription: topic,
    });
    const url = `http://127.0.0.1:${target.port}${normalisePath(target.request.endpoint, '/')}`;
    const say = this.sayer(target.request);
    let status: number | undefined;
    for (let attempt = 1; attempt <= DELIVERY_ATTEMPTS; attempt++) {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
        });
        await response.arrayBuffer();
        status = response.status;
        if (response.ok) return { messageId, delivered: true, status };
        say(`[slipway] message ${messageId} attempt ${attempt}: ${url} answered ${status}`, 'stderr');
      } catch (error) {
        say(`[slipway] message ${messageId} attempt ${attempt}: ${causeOf(error)}`, 'stderr');
      }
      if (attempt < DELIVERY_ATTEMPTS) await delay(100 * attempt);
    }
    return status === undefined ? { messageId, delivered: false } : { messageId, delivered: false, status };
  }

  /** What is hosted, without environments (the HTTP API's `GET /applications`). */
  list() {
    return [...this.hosted.values()].map(({ request, result, port, process: proc, hostedAt }) => ({
      projectId: request.projectId,
      deploymentId: request.deploymentId,
      buildId: request.buildId,
      applicationName: request.applicationName,
      applicationType: request.applicationType,
      bundle: request.bundle,
      ...(request.endpoint !== undefined ? { endpoint: request.endpoint } : {}),
      ...(request.healthCheckPath !== undefined ? { healthCheckPath: request.healthCheckPath } : {}),
      ...(request.schedule !== undefined ? { schedule: request.schedule } : {}),
      ...(port !== undefined ? { port } : {}),
      ...(proc ? { pid: proc.pid } : {}),
      running: request.applicationType === 'assets' || proc?.alive === true,
      hostedAt: new Date(hostedAt).toISOString(),
      result,
    }));
  }

  /**
   * Starts again everything the registry holds (after a restart of `npm start`): stale process
   * groups of a previous run that died without `close` are killed first; each application gets
   * its recorded port back when it is free. One that does not come back is reported and stays
   * in the registry, so the next `host` of it or the next restore tries again.
   */
  async restore(): Promise<void> {
    const restored: Hosted[] = [];
    const stale: Promise<void>[] = [];
    for (const record of this.readRegistry()) {
      let secrets: { environment: Record<string, string>; secretValues?: string[] };
      try {
        secrets = JSON.parse(openWith(this.key, record.sealed, aadOf(record.request)));
      } catch (error) {
        this.warn(
          record.request,
          `cannot restore: its registry entry does not open (${(error as Error).message})`,
        );
        continue;
      }
      const request: HostingRequest = { ...record.request, ...secrets };
      const entry: Hosted = {
        request,
        sealed: record.sealed,
        result: record.result,
        hostedAt: record.hostedAt,
      };
      if (record.port !== undefined) entry.port = record.port;
      this.hosted.set(keyOf(request), entry);
      restored.push(entry);
      // A previous run that died without `close` left its applications running (they hold the ports).
      if (record.pid !== undefined && groupAlive(record.pid) && isOurGroup(record.pid, request.bundle))
        stale.push(stopGroup(record.pid));
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
            this.warn(
              request,
              `port ${taken} is taken; '${request.applicationName}' now answers on port ${port}`,
            );
          }
          const entry = await this.launch(request, { hostedAt: previous.hostedAt, port });
          this.hosted.set(keyOf(request), entry);
        } catch (error) {
          this.warn(request, `did not come back: ${(error as Error).message}`);
        }
      }),
    );
    this.persist();
  }

  /** Stops every process, cron job and the HTTP API; the registry stays for `restore`. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.starting.values()].map((s) => s.done));
    await Promise.all([...this.hosted.values()].map((entry) => this.halt(entry)));
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
    const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
    if (!rawPath.startsWith('/assets/')) return false;
    const [deploymentPart, applicationPart, ...rest] = rawPath.slice('/assets/'.length).split('/');
    let deploymentId: string;
    let applicationName: string;
    try {
      deploymentId = decodeURIComponent(deploymentPart ?? '');
      applicationName = decodeURIComponent(applicationPart ?? '');
    } catch {
      return false;
    }
    const entry = this.newest(
      (e) =>
        e.request.applicationType === 'assets' &&
        e.request.deploymentId === deploymentId &&
        e.request.applicationName === applicationName,
    );
    if (!entry) return false;

    const notFound = () => {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not Found');
      return true;
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('Method Not Allowed');
      return true;
    }
    if (rest.length === 0) {
      // Relative links in index.html need the trailing slash.
      res.writeHead(308, { location: `${rawPath}/` });
      res.end();
      return true;
    }
    const segments: string[] = [];
    for (const part of rest) {
      let segment: string;
      try {
        segment = decodeURIComponent(part);
      } catch {
        return notFound();
      }
      if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return notFound();
      if (segment !== '') segments.push(segment);
    }
    let root: string;
    let file: string;
    try {
      root = realpathSync(entry.request.bundle);
      // realpath resolves symbolic links: one leading out of the bundle fails the check below.
      file = realpathSync(join(root, ...segments));
      if (statSync(file).isDirectory()) file = realpathSync(join(file, 'index.html'));
    } catch {
      return notFound();
    }
    if (!file.startsWith(root + sep) || !isFile(file)) return notFound();

    const size = statSync(file).size;
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'content-length': size,
      'cache-control': 'no-cache',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'HEAD') res.end();
    else
      createReadStream(file)
        .on('error', () => res.destroy())
        .pipe(res);
    return true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    // Without the gateway in front (no public URL), assets are served here, without a token like there.
    if (path.startsWith('/assets/') && this.serveAsset(req, res)) return;
    if (!this.authorized(req)) return json(res, 401, { message: 'Unauthorized' });
    try {
      const method = req.method ?? 'GET';
      if (method === 'POST' && path === '/applications') {
        const request = parseBody(HostingRequestBody, await readJson(req));
        try {
          return json(res, 200, await this.host(request));
        } catch (error) {
          if (!(error instanceof ApplicationHostingFailed)) throw error;
          return json(res, 422, {
            code: error.code,
            message: reasons.get(error) ?? error.message,
          });
        }
      }
      if (method === 'POST' && path === '/applications/stop') {
        const target = parseBody(StopBody, await readJson(req));
        return json(res, 200, { stopped: await this.stopMatching(target) });
      }
      if (method === 'GET' && path === '/applications') return json(res, 200, this.list());
      const topic = /^\/topics\/([^/]+)\/messages$/.exec(path)?.[1];
      if (method === 'POST' && topic !== undefined) {
        const name = decodeURIComponent(topic);
        const message = parseBody(MessageBody, await readJson(req));
        const result = await this.publish(name, message.data, message.attributes);
        if (!result) return json(res, 404, { message: `Unknown topic '${name}'` });
        return json(res, 200, result);
      }
      return json(res, 404, { message: `No route for ${method} ${path}` });
    } catch (error) {
      if (error instanceof BadRequest || error instanceof URIError)
        return json(res, 400, { message: error.message });
      throw error;
    }
  }

  private authorized(req: IncomingMessage): boolean {
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${this.options.token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Starts one application (its process, topic or schedule); throws `ApplicationHostingFailed`. */
  private async launch(request: HostingRequest, at: { hostedAt: number; port?: number }): Promise<Hosted> {
    if (!isDirectory(request.bundle))
      throw hostingFailed(request, `bundle directory ${request.bundle} not found`);
    const sealed = sealWith(
      this.key,
      JSON.stringify({ environment: request.environment, secretValues: request.secretValues }),
      aadOf(request),
    );
    const base = { request, sealed, hostedAt: at.hostedAt };
    if (request.applicationType === 'assets') {
      const publicUrl = this.publicUrl ?? this.url ?? '';
      const path = `/assets/${encodeURIComponent(request.deploymentId)}/${encodeURIComponent(request.applicationName)}/`;
      return { ...base, result: { url: `${publicUrl}${path}` } };
    }
    if (request.applicationType === 'job') this.checkSchedule(request);

    const port = at.port ?? (await freePort());
    const proc = await this.spawnApplication(request, port);
    try {
      await this.waitUntilAnswering(request, port, proc);
    } catch (error) {
      proc.stopping = true;
      await stopGroup(proc.pid);
      await proc.exited;
      throw error;
    }
    const entry: Hosted = { ...base, port, process: proc, result: {} };
    const origin = `http://127.0.0.1:${port}`;
    switch (request.applicationType) {
      case 'service':
        entry.result = { url: `${origin}${normalisePath(request.endpoint, '')}` };
        break;
      case 'event':
        entry.result = { topic: topicOf(request) };
        break;
      case 'job': {
        const schedule = request.schedule ?? '';
        entry.cron = this.schedule(request, schedule, `${origin}${normalisePath(request.endpoint, '/')}`);
        entry.result = { schedule };
        break;
      }
    }
    return entry;
  }

  private checkSchedule(request: HostingRequest): void {
    if (!request.schedule) throw hostingFailed(request, 'a job application needs a schedule');
    try {
      new Cron(request.schedule, { paused: true, mode: '5-or-6-parts' }).stop();
    } catch (error) {
      throw hostingFailed(request, `invalid schedule '${request.schedule}': ${(error as Error).message}`);
    }
  }

  /** Calls the job's endpoint on its schedule (one run at a time); each outcome is an output line. */
  private schedule(request: HostingRequest, schedule: string, url: string): Cron {
    const say = this.sayer(request);
    return new Cron(schedule, { protect: true, mode: '5-or-6-parts' }, async () => {
      const firedAt = new Date().toISOString();
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{}',
        });
        await response.arrayBuffer();
        say(
          `[slipway] job run at ${firedAt}: POST ${url} answered ${response.status}`,
          response.ok ? 'stdout' : 'stderr',
        );
      } catch (error) {
        say(`[slipway] job run at ${firedAt}: POST ${url} failed: ${causeOf(error)}`, 'stderr');
      }
    });
  }

  private async spawnApplication(request: HostingRequest, port: number): Promise<HostedProcess> {
    const { command, args } = startCommand(request);
    const child = spawn(command, args, {
      cwd: request.bundle,
      env: childEnvironment({ ...request.environment, PORT: String(port) }),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (child.pid === undefined) {
      const [error] = (await once(child, 'error')) as [Error];
      throw hostingFailed(request, `cannot start '${[command, ...args].join(' ')}': ${error.message}`);
    }
    const say = this.sayer(request);
    const redact = redactor(request.secretValues ?? []);
    const proc: HostedProcess = {
      pid: child.pid,
      alive: true,
      exitCode: null,
      signal: null,
      stopping: false,
      exited: new Promise((done) => child.once('exit', () => done())),
      closed: new Promise((done) => child.once('close', () => done())),
      lastLines: [],
    };
    const capture = (stream: 'stdout' | 'stderr') => (raw: string) => {
      const line = redact(raw);
      proc.lastLines.push(line);
      if (proc.lastLines.length > LAST_LINES) proc.lastLines.shift();
      say(line, stream);
    };
    if (child.stdout) forEachLine(child.stdout, capture('stdout'));
    if (child.stderr) forEachLine(child.stderr, capture('stderr'));
    child.on('exit', (code, signal) => {
      proc.alive = false;
      proc.exitCode = code;
      proc.signal = signal;
      if (!proc.stopping) say(`[slipway] '${request.applicationName}' ${exitText(proc)}`, 'stderr');
    });
    return proc;
  }

  /** Any HTTP answer counts; the process exiting first fails at once. */
  private async waitUntilAnswering(
    request: HostingRequest,
    port: number,
    proc: HostedProcess,
  ): Promise<void> {
    const path = normalisePath(request.healthCheckPath ?? request.endpoint, '/');
    const url = `http://127.0.0.1:${port}${path}`;
    const deadline = Date.now() + this.startTimeoutMs;
    const output = () =>
      proc.lastLines.length > 0 ? `; last output:\n${proc.lastLines.join('\n')}` : '; it wrote nothing';
    for (;;) {
      if (!proc.alive) {
        // The last lines may still be in the pipes when 'exit' fires (a grandchild may hold them open).
        await Promise.race([proc.closed, delay(500)]);
        throw hostingFailed(request, `the process ${exitText(proc)} before answering on ${url}${output()}`);
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0)
        throw hostingFailed(
          request,
          `it did not answer on ${url} within ${this.startTimeoutMs} ms${output()}`,
        );
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(Math.min(remaining, 2_000)) });
        await response.arrayBuffer();
        return;
      } catch {
        await Promise.race([proc.exited, delay(Math.min(50, Math.max(remaining, 0)))]);
      }
    }
  }

  /** Stops an entry's schedule and process group; safe to call on anything. */
  private async halt(entry: Hosted): Promise<void> {
    entry.cron?.stop();
    const proc = entry.process;
    if (!proc) return;
    proc.stopping = true;
    await stopGroup(proc.pid);
    // Reaped: until then the leader may still hold its listening socket.
    await proc.exited;
  }

  private isUp(entry: Hosted): boolean {
    return entry.request.applicationType === 'assets' || entry.process?.alive === true;
  }

  private newest(predicate: (entry: Hosted) => boolean): Hosted | undefined {
    let found: Hosted | undefined;
    for (const entry of this.hosted.values())
      if (predicate(entry) && (!found || entry.hostedAt >= found.hostedAt)) found = entry;
    return found;
  }

  /** A redeploy overlapping the previous build: only the newest build receives the topic's messages. */
  private subscriberOf(topic: string): Hosted | undefined {
    return this.newest((e) => e.request.applicationType === 'event' && e.result.topic === topic);
  }

  /** `<workspaceRoot>/<parts…>`, refusing anything that resolves outside the workspace root. */
  private workspacePath(...parts: string[]): string {
    const path = resolve(this.workspaceRoot, ...parts);
    if (!path.startsWith(this.workspaceRoot + sep))
      throw new Error(`Refusing a path outside the hosting workspace: ${path}`);
    return path;
  }

  private sayer(request: HostingRequest): (line: string, stream: 'stdout' | 'stderr') => void {
    const { deploymentId, applicationName } = request;
    const onOutput = this.options.onOutput;
    return (line, stream) => onOutput?.({ deploymentId, applicationName, line, stream });
  }

  private warn(request: { deploymentId: string; applicationName: string }, message: string): void {
    const line = `[slipway] hosting '${request.applicationName}' of deployment ${request.deploymentId}: ${message}`;
    if (this.options.onOutput)
      this.options.onOutput({
        deploymentId: request.deploymentId,
        applicationName: request.applicationName,
        line,
        stream: 'stderr',
      });
    else console.warn(line);
  }

  private readRegistry(): RegistryRecord[] {
    if (!existsSync(this.registryFile)) return [];
    const registry = JSON.parse(readFileSync(this.registryFile, 'utf8')) as {
      version: number;
      applications: RegistryRecord[];
    };
    if (registry.version !== REGISTRY_VERSION)
      throw new Error(`${this.registryFile}: unknown registry version ${registry.version}`);
    return registry.applications;
  }

  /** Rewrites the registry atomically (a crash leaves the old or the new file, never half of one). */
  private persist(): void {
    const applications: RegistryRecord[] = [...this.hosted.values()].map((entry) => {
      const { environment: _environment, secretValues: _secretValues, ...request } = entry.request;
      const record: RegistryRecord = {
        request,
        sealed: entry.sealed,
        result: entry.result,
        hostedAt: entry.hostedAt,
      };
      if (entry.port !== undefined) record.port = entry.port;
      if (entry.process) record.pid = entry.process.pid;
      return record;
    });
    mkdirSync(join(this.options.dataDir, 'hosting'), { recursive: true, mode: 0o700 });
    const temporary = `${this.registryFile}.${process.pid}.${randomUUID()}.tmp`;
    writeFileSync(temporary, JSON.stringify({ version: REGISTRY_VERSION, applications }, null, 2), {
      mode: 0o600,
    });
    renameSync(temporary, this.registryFile);
  }
}

const exitText = (proc: HostedProcess): string =>
  proc.signal ? `was killed by ${proc.signal}` : `exited with code ${proc.exitCode}`;

const causeOf = (error: unknown): string => {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
};
