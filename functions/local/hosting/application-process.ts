import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import {
  childEnvironment,
  forEachLine,
  groupAlive,
  type ProcessSpec,
  signalGroup,
} from '../../adapters/runtime/process-runner.ts';
import { nodeEntryPoint, redactor } from '../../core/hosting/build-rules.ts';
import { normalisePath } from '../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { crashSummary } from '../../core/shared/public-text.ts';
import { hostingFailed } from './errors.ts';
import { isFile } from './files.ts';
import { withLoopbackDefault } from './loopback-default.ts';
import { freePort } from './loopback-ports.ts';
import type { HostedProcess, LaunchContext } from './types.ts';

/**
 * What the applications that run as processes (services, event and job applications) share:
 * starting one in its own process group on a loopback port, waiting until it answers, and
 * stopping its whole group.
 */

/** Lines kept per process for the message of a failed start. */
const LAST_LINES = 40;
/** Between SIGTERM and SIGKILL when stopping a hosted application. */
const STOP_GRACE_MS = 5_000;

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
export const stopGroup = async (pid: number): Promise<void> => {
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
export const isOurGroup = (pid: number, bundle: string): boolean => {
  // Without /proc (macOS) there is no telling whose group a recorded pid leads now: leave it.
  if (!existsSync('/proc/self') || !existsSync(`/proc/${pid}`)) return false;
  try {
    return realpathSync(`/proc/${pid}/cwd`) === realpathSync(bundle);
  } catch {
    return false;
  }
};

/** Stops a hosted process's whole group and resolves once the process is reaped. */
export const stopProcess = async (proc: HostedProcess): Promise<void> => {
  proc.stopping = true;
  await stopGroup(proc.pid);
  // Reaped: until then the leader may still hold its listening socket.
  await proc.exited;
  proc.forget?.();
};

/**
 * Starts the application in `request.bundle` on `context.port` (a free port when absent) and
 * resolves once it answers over HTTP; throws `ApplicationHostingFailed` after stopping whatever
 * it started.
 */
export const startApplication = async (
  request: HostingRequest,
  context: LaunchContext,
): Promise<{ port: number; process: HostedProcess }> => {
  const port = context.port ?? (await freePort());
  const proc = await spawnApplication(request, port, context);
  try {
    await waitUntilAnswering(request, port, proc, context.startTimeoutMs);
  } catch (error) {
    await stopProcess(proc);
    throw error;
  }
  return { port, process: proc };
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

const spawnApplication = async (
  request: HostingRequest,
  port: number,
  { say, recorder, spawnSpec }: LaunchContext,
): Promise<HostedProcess> => {
  const { command, args } = startCommand(request);
  const plain: ProcessSpec = {
    file: command,
    args,
    cwd: request.bundle,
    // Where to listen: loopback only (HOST is what most frameworks read; the preload makes a
    // listen that names no host use it too).
    env: withLoopbackDefault(
      childEnvironment({ ...request.environment, PORT: String(port), HOST: '127.0.0.1' }),
    ),
  };
  const spec = spawnSpec ? spawnSpec(plain) : plain;
  const child = spawn(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(spec.uid === undefined ? {} : { uid: spec.uid }),
    ...(spec.gid === undefined ? {} : { gid: spec.gid }),
  });
  // Written down before anything is awaited: a crash from here on still finds the group.
  const pid = child.pid;
  if (pid !== undefined)
    recorder?.add(pid, {
      kind: 'application',
      deploymentId: request.deploymentId,
      what: `${request.applicationName} (${[command, ...args].join(' ')})`,
    });
  if (child.pid === undefined) {
    const [error] = (await once(child, 'error')) as [Error];
    throw hostingFailed(request, `cannot start '${[command, ...args].join(' ')}': ${error.message}`);
  }
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
    ...(pid !== undefined && recorder ? { forget: () => recorder.remove(pid) } : {}),
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
};

/** Any HTTP answer counts; the process exiting first fails at once. */
const waitUntilAnswering = async (
  request: HostingRequest,
  port: number,
  proc: HostedProcess,
  startTimeoutMs: number,
): Promise<void> => {
  const path = normalisePath(request.healthCheckPath ?? request.endpoint, '/');
  const url = `http://127.0.0.1:${port}${path}`;
  const deadline = Date.now() + startTimeoutMs;
  // The client gets the line that says why; the whole output is in the deployment's logs.
  const output = () => {
    const cause = crashSummary(proc.lastLines);
    return cause === undefined ? '; it wrote nothing' : `: ${cause} (its output is in the deployment logs)`;
  };
  for (;;) {
    if (!proc.alive) {
      // The last lines may still be in the pipes when 'exit' fires (a grandchild may hold them open).
      await Promise.race([proc.closed, delay(500)]);
      throw hostingFailed(request, `the process ${exitText(proc)} before answering on ${url}${output()}`);
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw hostingFailed(request, `it did not answer on ${url} within ${startTimeoutMs} ms${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.min(remaining, 2_000)) });
      await response.arrayBuffer();
      return;
    } catch {
      await Promise.race([proc.exited, delay(Math.min(50, Math.max(remaining, 0)))]);
    }
  }
};

const exitText = (proc: HostedProcess): string =>
  proc.signal ? `was killed by ${proc.signal}` : `exited with code ${proc.exitCode}`;
