import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { groupAlive, signalGroup } from '../adapters/runtime/process-runner.ts';
import type { CommandRunner } from '../core/hosting/ports.ts';
import { diskUsageMb, processesByGroup } from './proc-table.ts';

/**
 * Every process group `npm start` starts for a tenant's code (hosted applications, builds,
 * scripts), written down as it starts, in `<dataDir>/processes.json`. A run that dies
 * (`kill -9`) cannot stop what it started; the next one reads the ledger and ends every group
 * still running, before it hosts anything again. A graceful stop ends them too, whatever path
 * started them. A group is identified by its leader's pid and start time (from /proc), so a pid
 * the system has reused since is never signalled. Not git fetches (`fetch-source.ts`): git runs
 * no code of the repository it clones, under a time limit, in `npm start`'s own process group,
 * so a Ctrl-C or a kill of that group ends it with the run (a kill of the one process alone
 * leaves it to finish its clone or its time limit).
 */

export interface LedgerEntry {
  pgid: number;
  /** The leader's start time in clock ticks since boot (`/proc/<pid>/stat`, field 22). */
  startTime: string;
  /** A hosted application, or a build or script job. */
  kind: 'application' | 'job';
  deploymentId?: string;
  what: string;
  at: string;
}

const LEDGER_VERSION = 1;
/** How long a group has between SIGTERM and SIGKILL. */
const GRACE_MS = 2_000;

/** The start time of a process, or undefined when it is gone (or this is not Linux). */
export const processStartTime = (pid: number): string | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
};

const waitUntil = async (done: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
};

/** SIGTERM to the group, SIGKILL after the grace period; resolves once nothing of it runs. */
export const endGroup = async (pgid: number): Promise<void> => {
  if (!signalGroup(pgid, 'SIGTERM')) return;
  if (await waitUntil(() => !groupAlive(pgid), GRACE_MS)) return;
  signalGroup(pgid, 'SIGKILL');
  await waitUntil(() => !groupAlive(pgid), GRACE_MS);
};

export class ProcessLedger {
  private entries: LedgerEntry[];

  constructor(private readonly file: string) {
    this.entries = ProcessLedger.read(file);
  }

  private static read(file: string): LedgerEntry[] {
    if (!existsSync(file)) return [];
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; entries?: LedgerEntry[] };
      return parsed.version === LEDGER_VERSION && Array.isArray(parsed.entries) ? parsed.entries : [];
    } catch {
      return [];
    }
  }

  /** Written synchronously, before the caller awaits anything: a crash right after still finds it. */
  add(pgid: number, about: Omit<LedgerEntry, 'pgid' | 'startTime' | 'at'>): void {
    const startTime = processStartTime(pgid) ?? '';
    this.entries = [
      ...this.entries.filter((e) => e.pgid !== pgid),
      { pgid, startTime, ...about, at: new Date().toISOString() },
    ];
    this.write();
  }

  remove(pgid: number): void {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.pgid !== pgid);
    if (this.entries.length !== before) this.write();
  }

  /** What the ledger holds now. */
  list(): readonly LedgerEntry[] {
    return this.entries;
  }

  /**
   * Ends every recorded group that still runs as the same process (same leader start time),
   * forgets them all, and answers what was ended. At start-up: what a dead run left behind.
   */
  async endAll(): Promise<LedgerEntry[]> {
    // A leader that is gone left its group ours (its id can only be taken by a new leader of
    // that pid); a leader that runs is ours only if it started when the one recorded did.
    const ours = (e: LedgerEntry) => {
      const leader = processStartTime(e.pgid);
      return leader === undefined || e.startTime === '' || leader === e.startTime;
    };
    const running = this.entries.filter((e) => groupAlive(e.pgid) && ours(e));
    await Promise.all(running.map((e) => endGroup(e.pgid)));
    this.entries = [];
    this.write();
    return running;
  }

  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: LEDGER_VERSION, entries: this.entries }), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/**
 * `inner`, with each command's process group on the ledger while it runs (builds and scripts),
 * and watched once a second: a group over `limits` is stopped, and the result says why (the
 * build or script then fails naming the limit).
 */
export const recordingRunner = (
  inner: CommandRunner,
  ledger: ProcessLedger,
  limits: {
    memoryMb: number;
    processes: number;
    diskMb?: number;
    /** The folder whose size `diskMb` bounds, for a command run in `cwd` (its deployment's workspace). */
    workspaceOf?: (cwd: string) => string | undefined;
  } = { memoryMb: Number.POSITIVE_INFINITY, processes: Number.POSITIVE_INFINITY },
): CommandRunner => ({
  run: async (input) => {
    let pgid: number | undefined;
    let stoppedFor: string | undefined;
    let ticks = 0;
    const workspace = limits.workspaceOf?.(input.cwd);
    const watch = setInterval(() => {
      if (pgid === undefined || stoppedFor !== undefined) return;
      const members = processesByGroup().get(pgid) ?? [];
      const rssMb = members.reduce((sum, p) => sum + p.rssKb, 0) / 1024;
      // The disk is counted every fifth second: walking a tree of node_modules is not free.
      const diskMb =
        workspace && limits.diskMb !== undefined && ++ticks % 5 === 0
          ? diskUsageMb(workspace, limits.diskMb)
          : 0;
      stoppedFor =
        rssMb > limits.memoryMb
          ? `it used ${Math.round(rssMb)} MB of memory, over the limit of ${limits.memoryMb} MB`
          : members.length > limits.processes
            ? `it ran ${members.length} processes, over the limit of ${limits.processes}`
            : limits.diskMb !== undefined && diskMb > limits.diskMb
              ? `its workspace grew over the disk limit of ${limits.diskMb} MB`
              : undefined;
      if (stoppedFor !== undefined) {
        input.onLine(`[slipway] stopped: ${stoppedFor}`, 'stderr');
        signalGroup(pgid, 'SIGKILL');
      }
    }, 1_000);
    watch.unref();
    try {
      const result = await inner.run({
        ...input,
        onSpawn: (pid) => {
          pgid = pid;
          ledger.add(pid, { kind: 'job', what: input.command });
          input.onSpawn?.(pid);
        },
      });
      return stoppedFor === undefined ? result : { ...result, stoppedFor };
    } finally {
      clearInterval(watch);
      if (pgid !== undefined) ledger.remove(pgid);
    }
  },
});
