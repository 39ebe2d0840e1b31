import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { CommandRunner } from '../../core/hosting/ports.ts';

/** What `sh` answers for a command it cannot run; also what a missing working directory gives. */
export const CANNOT_RUN_EXIT_CODE = 127;

/** How long a process group has between SIGTERM and SIGKILL when a command times out. */
const KILL_GRACE_MS = 2_000;

/**
 * Hands every line of `stream` to `onLine` (without its `\n` or `\r\n`), the last partial line
 * included once the stream ends. Multi-byte characters split across chunks stay whole.
 */
/** Longest line held while waiting for its end. */
const MAX_PENDING = 8 * 1024;

export const forEachLine = (stream: Readable, onLine: (line: string) => void): void => {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  const emit = (text: string) => {
    // A lone carriage return (a progress bar) ends a line too.
    const parts = (pending + text).split(/\r?\n|\r(?!$)/);
    pending = parts.pop() ?? '';
    for (const part of parts) onLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    // A line without end is handed over in pieces rather than held without bound.
    while (pending.length >= MAX_PENDING) {
      onLine(pending.slice(0, MAX_PENDING));
      pending = pending.slice(MAX_PENDING);
    }
  };
  stream.on('data', (chunk: Buffer) => emit(decoder.write(chunk)));
  stream.on('end', () => {
    emit(decoder.end());
    if (pending !== '') onLine(pending.endsWith('\r') ? pending.slice(0, -1) : pending);
    pending = '';
  });
};

/** The environment a child process gets: PATH and HOME of this process, then exactly `env`. */
export const childEnvironment = (env: Record<string, string>): Record<string, string> => {
  const base: Record<string, string> = {};
  if (process.env.PATH !== undefined) base.PATH = process.env.PATH;
  if (process.env.HOME !== undefined) base.HOME = process.env.HOME;
  return { ...base, ...env };
};

/** Sends `signal` to the process group led by `pid`; false when the group is gone. */
export const signalGroup = (pid: number, signal: NodeJS.Signals | 0): boolean => {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
};

/**
 * Whether anything of the process group led by `pid` still runs. On Linux, zombies do not
 * count: orphans of a killed group wait for PID 1 to reap them (over a second in some
 * containers), and `kill(-pid, 0)` still finds them meanwhile.
 */
export const groupAlive = (pid: number): boolean => {
  if (!signalGroup(pid, 0)) return false;
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // "pid (comm) state ppid pgrp …": comm may contain spaces and parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pid && state !== 'Z') return true;
  }
  return false;
};

/** SIGTERM to the group now, SIGKILL after `graceMs` if anything of it is still alive. */
export const terminateGroup = (pid: number, graceMs: number): void => {
  if (!signalGroup(pid, 'SIGTERM')) return;
  setTimeout(() => {
    if (signalGroup(pid, 0)) signalGroup(pid, 'SIGKILL');
  }, graceMs).unref();
};

/**
 * Runs commands on this machine, each in its own process group (`detached`), so that a timeout
 * or the end of the command takes down everything it started, grandchildren included.
 *
 * - A timeout sends SIGTERM to the group, then SIGKILL after 2 s, and resolves
 *   `{ exitCode: null, timedOut: true }`.
 * - When the command exits, what it left running in its group is terminated too: a build step
 *   must not leave processes holding its workspace (and its output pipes open).
 * - A command that cannot be started at all (its `cwd` does not exist) resolves with exit code
 *   127, as `sh` does for a command it cannot find, after one `stderr` line saying why: callers
 *   report it like any failed command, with the reason in the output.
 */
/** A program, its arguments, where and as whom it runs: what `spawnSpec` may rewrite. */
export interface ProcessSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

export const createProcessRunner = (
  options: {
    /** How each command is really started (`npm start` runs tenants' commands in a sandbox). */
    spawnSpec?: (spec: ProcessSpec) => ProcessSpec;
  } = {},
): CommandRunner => ({
  run: ({ command, cwd, env, timeoutMs, onLine, signal, onSpawn }) =>
    new Promise((resolve) => {
      // spawn reports a missing cwd as `spawn sh ENOENT`, which reads as if sh were missing.
      if (!existsSync(cwd)) {
        onLine(`cannot run '${command}': directory ${cwd} does not exist`, 'stderr');
        resolve({ exitCode: CANNOT_RUN_EXIT_CODE, timedOut: false });
        return;
      }
      const plain: ProcessSpec = { file: 'sh', args: ['-c', command], cwd, env: childEnvironment(env) };
      const spec = options.spawnSpec ? options.spawnSpec(plain) : plain;
      const child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(spec.uid === undefined ? {} : { uid: spec.uid }),
        ...(spec.gid === undefined ? {} : { gid: spec.gid }),
      });
      if (child.pid !== undefined) onSpawn?.(child.pid);
      let timedOut = false;
      let aborted = false;
      let exitCode: number | null = null;
      const abort = () => {
        aborted = true;
        if (child.pid !== undefined) terminateGroup(child.pid, KILL_GRACE_MS);
      };
      if (signal?.aborted) abort();
      else signal?.addEventListener('abort', abort, { once: true });
      const timer = setTimeout(() => {
        if (child.pid === undefined) return;
        timedOut = true;
        terminateGroup(child.pid, KILL_GRACE_MS);
      }, timeoutMs);

      if (child.stdout) forEachLine(child.stdout, (line) => onLine(line, 'stdout'));
      if (child.stderr) forEachLine(child.stderr, (line) => onLine(line, 'stderr'));

      child.on('error', (error) => {
        clearTimeout(timer);
        onLine(`cannot run '${command}': ${error.message}`, 'stderr');
        resolve({ exitCode: CANNOT_RUN_EXIT_CODE, timedOut: false });
      });
      child.on('exit', (code) => {
        exitCode = code;
        if (timedOut) return;
        clearTimeout(timer);
        // Leftovers in the group keep the pipes open, and 'close' waits for the pipes.
        if (child.pid !== undefined) terminateGroup(child.pid, KILL_GRACE_MS);
      });
      child.on('close', () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', abort);
        if (aborted && !timedOut) resolve({ exitCode: null, timedOut: false, aborted: true });
        else resolve(timedOut ? { exitCode: null, timedOut: true } : { exitCode, timedOut: false });
      });
    }),
});

/** Commands run as this process's user, as CodeBuild runs them on AWS. */
export const processRunner: CommandRunner = createProcessRunner();
