import { spawnSync } from 'node:child_process';
import { chmodSync, lchownSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ProcessSpec } from '../adapters/runtime/process-runner.ts';
import { DeploymentUsers, uidRegistryFromEnvironment } from './deployment-users.ts';

/**
 * Where tenants' code runs under `npm start`: builds, scripts and hosted applications. The
 * mode depends on what the machine allows (docs/security.md):
 *
 * - `user` (Slipway runs as root, as CI does): each deployment's code runs as a user of its own
 *   (a uid allocated once per deployment, unique on the machine: `DeploymentUsers`), which
 *   owns only that deployment's workspace (0700); the data folder (0700), the keys and runtime
 *   files (0600) and the server's /proc entries are root's. Where the kernel allows a private mount namespace, /tmp is private to the
 *   process and the data folder is hidden under an empty tmpfs. Processes and open files are
 *   limited per user (`prlimit`), so a fork bomb stays within its deployment.
 * - `node-permission` (any other user): the same user as the server, so only Node's permission
 *   model separates them, and only for applications started as `node <entry>`: reads and writes
 *   limited to the application's folder (and Node's own files), no child processes. Builds,
 *   scripts and applications started with `npm start` are not contained in this mode.
 * - `none`: nothing is separated (`SLIPWAY_SANDBOX=none`, for debugging).
 *
 * Memory, process count, disk and log volume are watched in every mode by the local hosting's
 * supervisor; this module decides how a process is started.
 */

export type SandboxMode = 'user' | 'node-permission' | 'none';

/** What tenants' processes may use; each has a setting (docs/configuration.md). */
export interface SandboxLimits {
  /** Resident memory of one hosted application (its whole process group), MB. */
  applicationMemoryMb: number;
  /** Resident memory of one build or script, MB. */
  jobMemoryMb: number;
  /** Processes of one deployment's user (`user` mode), or of one application's group. */
  processes: number;
  /** Open files per process. */
  openFiles: number;
  /** A deployment's workspace on disk, MB. */
  diskMb: number;
  /** Output lines of one application per minute; the rest is dropped with a marker line. */
  logLinesPerMinute: number;
}

export const DEFAULT_LIMITS: SandboxLimits = {
  applicationMemoryMb: 512,
  jobMemoryMb: 2048,
  processes: 256,
  openFiles: 1024,
  diskMb: 2048,
  logLinesPerMinute: 6000,
};

const positive = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^[1-9]\d{0,9}$/.test(raw)) throw new Error(`${name} must be a positive whole number, got '${raw}'`);
  return Number(raw);
};

/** The limits, each overridable by its `SLIPWAY_LIMIT_*` setting (docs/configuration.md). */
export const limitsFromEnvironment = (): SandboxLimits => ({
  applicationMemoryMb: positive('SLIPWAY_LIMIT_APP_MEMORY_MB', DEFAULT_LIMITS.applicationMemoryMb),
  jobMemoryMb: positive('SLIPWAY_LIMIT_BUILD_MEMORY_MB', DEFAULT_LIMITS.jobMemoryMb),
  processes: positive('SLIPWAY_LIMIT_PROCESSES', DEFAULT_LIMITS.processes),
  openFiles: positive('SLIPWAY_LIMIT_OPEN_FILES', DEFAULT_LIMITS.openFiles),
  diskMb: positive('SLIPWAY_LIMIT_DISK_MB', DEFAULT_LIMITS.diskMb),
  logLinesPerMinute: positive('SLIPWAY_LIMIT_LOG_LINES_PER_MINUTE', DEFAULT_LIMITS.logLinesPerMinute),
});

/** Whether `path` is `dir` or inside it. */
const isInside = (path: string, dir: string): boolean => {
  const rel = relative(resolve(dir), resolve(path));
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

const commandWorks = (file: string, args: string[]) => {
  try {
    return spawnSync(file, args, { stdio: 'ignore', timeout: 5_000 }).status === 0;
  } catch {
    return false;
  }
};

/** The mode this machine allows, unless `SLIPWAY_SANDBOX` names one. */
export const detectSandboxMode = (requested = process.env.SLIPWAY_SANDBOX): SandboxMode => {
  if (requested === 'none' || requested === 'node-permission') return requested;
  const root = process.getuid?.() === 0;
  if (requested === 'user' && !root) throw new Error('SLIPWAY_SANDBOX=user needs npm start to run as root');
  return root ? 'user' : 'node-permission';
};

export class Sandbox {
  /** Deployments' users (`user` mode only: the registry they are claimed in is root's). */
  private readonly users: DeploymentUsers | undefined;
  /** Whether a private mount namespace can be made (probed once). */
  private readonly privateMounts: boolean;

  constructor(
    readonly mode: SandboxMode,
    private readonly options: {
      dataDir: string;
      workspaceRoot: string;
      limits: SandboxLimits;
      /** Where data folders claim their uids; `uidRegistryFromEnvironment()` by default. */
      uidRegistry?: string;
    },
  ) {
    this.users =
      mode === 'user'
        ? new DeploymentUsers({
            dataDir: options.dataDir,
            registry: options.uidRegistry ?? uidRegistryFromEnvironment(),
          })
        : undefined;
    this.privateMounts =
      mode === 'user' && commandWorks('unshare', ['--mount', '--propagation', 'private', 'true']);
  }

  get limits(): SandboxLimits {
    return this.options.limits;
  }

  /** One line for `npm start` to print: the mode, and what it does not isolate. */
  describe(): string {
    switch (this.mode) {
      case 'user':
        return `Sandbox: each deployment's code runs as its own user${this.privateMounts ? ', with a private /tmp and the data folder hidden' : ''}; it cannot read Slipway's keys, data or other deployments.${this.privateMounts ? '' : ' Not isolated: /tmp is shared (no mount namespaces here).'} Network access is not restricted.`;
      case 'node-permission':
        return "Sandbox: applications started as `node <entry>` run under Node's permission model (their folder only). Not isolated: builds, scripts and `npm start` applications run as this user and can read its files (run as root for per-deployment users).";
      case 'none':
        return 'Sandbox: none (SLIPWAY_SANDBOX=none): tenants’ code runs as this user and can read everything it can.';
    }
  }

  /** Makes the workspace root traversable by deployments' users (they cannot list it). */
  prepareRoot(): void {
    mkdirSync(this.options.workspaceRoot, { recursive: true });
    if (this.mode !== 'user') return;
    for (let dir = resolve(this.options.workspaceRoot); dir !== dirname(dir); dir = dirname(dir)) {
      const stat = lstatSync(dir);
      // Only what this server made: system folders (/var/tmp, /tmp) keep their own modes.
      if (stat.uid !== 0 || (stat.mode & 0o1000) !== 0 || dir === '/var' || dir === '/var/tmp') break;
      chmodSync(dir, 0o711);
    }
  }

  /** The deployment a path of the workspace belongs to (`<root>/<deploymentId>/…`), if any. */
  deploymentOf(path: string): string | undefined {
    const rel = relative(this.options.workspaceRoot, resolve(path));
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
    return rel.split(sep)[0];
  }

  /** The folder of the deployment whose workspace holds `path` (what its disk limit bounds). */
  workspaceOf(path: string): string | undefined {
    const deploymentId = this.deploymentOf(path);
    return deploymentId === undefined ? undefined : join(this.options.workspaceRoot, deploymentId);
  }

  /** The user a deployment's code runs as (`user` mode), allocated once and kept. */
  userOf(deploymentId: string): number {
    if (this.users === undefined) throw new Error('deployments have users of their own in user mode only');
    return this.users.userOf(deploymentId);
  }

  /**
   * How to start `file args` for the code of the deployment whose workspace holds `cwd`: as
   * its user, within the limits, in its own mount namespace where there is one (`user` mode);
   * under Node's permission model when it is a Node entry point (`node-permission` mode).
   */
  spawnSpec(command: Omit<ProcessSpec, 'uid' | 'gid'>): ProcessSpec {
    const deploymentId = this.deploymentOf(command.cwd);
    if (this.mode === 'node-permission') return this.withNodePermissions(command);
    if (this.mode !== 'user' || deploymentId === undefined) return command;
    const uid = this.userOf(deploymentId);
    const home = join(this.options.workspaceRoot, deploymentId, '.home');
    this.own(join(this.options.workspaceRoot, deploymentId), uid, home);
    const limited = [
      `--nproc=${this.options.limits.processes}`,
      `--nofile=${this.options.limits.openFiles}`,
      '--core=0',
      '--',
      command.file,
      ...command.args,
    ];
    const env = { ...command.env, HOME: home, TMPDIR: '/tmp' };
    if (!this.privateMounts) return { ...command, env, file: 'prlimit', args: limited, uid, gid: uid };
    // Root makes the mounts, then drops to the deployment's user for good. The data folder is
    // covered first (it may be under /tmp); neither is covered when the workspace is inside it.
    const workspace = resolve(this.options.workspaceRoot);
    const mounts = [
      ...(isInside(workspace, this.options.dataDir)
        ? []
        : ['mount -t tmpfs -o mode=0700,size=1m tmpfs "$0"']),
      ...(isInside(workspace, '/tmp') ? [] : ['mount -t tmpfs -o mode=1777,size=256m tmpfs /tmp']),
    ];
    const drop = `exec setpriv --reuid=${uid} --regid=${uid} --clear-groups --inh-caps=-all --bounding-set=-all -- prlimit "$@"`;
    return {
      ...command,
      env,
      file: 'unshare',
      args: [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        [...mounts, drop].join(' && '),
        resolve(this.options.dataDir),
        ...limited,
      ],
    };
  }

  /** `node <entry>`: reads and writes within the application's folder only, no child processes. */
  private withNodePermissions(command: Omit<ProcessSpec, 'uid' | 'gid'>): ProcessSpec {
    if (command.file !== process.execPath || this.deploymentOf(command.cwd) === undefined) return command;
    const nodeHome = dirname(dirname(process.execPath));
    return {
      ...command,
      args: [
        '--experimental-permission',
        `--allow-fs-read=${command.cwd}`,
        `--allow-fs-read=${nodeHome}`,
        `--allow-fs-write=${command.cwd}`,
        '--no-warnings',
        ...command.args,
      ],
    };
  }

  /** The deployment's folder and everything in it, owned by its user; the folder itself 0700. */
  private own(dir: string, uid: number, home: string): void {
    mkdirSync(home, { recursive: true });
    const walk = (path: string) => {
      const stat = lstatSync(path);
      if (stat.uid !== uid || stat.gid !== uid) lchownSync(path, uid, uid);
      if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
    };
    walk(dir);
    chmodSync(dir, 0o700);
  }
}
