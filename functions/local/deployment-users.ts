import { randomUUID } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

/**
 * The user ids deployments' code runs as in the sandbox's `user` mode (docs/security.md).
 *
 * They must be unique on the machine, not only within one data folder: two `npm start` runs
 * (two checkouts, or tests, each with a data folder of its own) handing out the same uid would
 * let one's tenants signal the other's processes and read what they left readable to that uid,
 * and the kernel's process limit per user would count both tenants together.
 *
 * So each data folder claims blocks of `BLOCK_SIZE` uids in a registry of the machine that only
 * root writes (`/var/lib/slipway/uid-blocks`, or `SLIPWAY_UID_REGISTRY`): block `n` is the file
 * `<registry>/<n>`, holding the real path of the data folder that owns it. A claim is one
 * `link()` of a file already written, which fails when the name exists: two runs starting at
 * once never get the same block, and a claim is never seen half-written. Within its blocks a
 * data folder gives each deployment a uid once and keeps it in `<dataDir>/sandbox-users.json`.
 */

export const FIRST_UID = 200_000;
export const BLOCK_SIZE = 100_000;
/** Blocks up to uid 1,999,999,999: far above login users, below the 2^31 some tools choke on. */
const BLOCKS = 19_998;
/**
 * Data folders from before the registry numbered their deployments from 200000 on, in block 0;
 * new claims start at block 1, so such a folder finds its block free unless another such
 * folder took it first.
 */
const FIRST_NEW_BLOCK = 1;

export const DEFAULT_UID_REGISTRY = '/var/lib/slipway/uid-blocks';

/** The registry folder: `SLIPWAY_UID_REGISTRY` if set (docs/configuration.md). */
export const uidRegistryFromEnvironment = (): string =>
  process.env.SLIPWAY_UID_REGISTRY || DEFAULT_UID_REGISTRY;

export const blockOf = (uid: number): number => Math.floor((uid - FIRST_UID) / BLOCK_SIZE);
const firstUidOf = (block: number): number => FIRST_UID + block * BLOCK_SIZE;

/** Why `npm start` cannot give this data folder's deployments users; the message says what to do. */
export class DeploymentUsersError extends Error {
  override readonly name = 'DeploymentUsersError';
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof Error && 'code' in error ? String(error.code) : undefined;

export class DeploymentUsers {
  private readonly idsFile: string;
  private ids: Record<string, number>;
  /** The real path of the data folder: what its claims hold. */
  private readonly owner: string;
  /** The blocks this data folder holds, lowest first. */
  private readonly held: number[];

  constructor(private readonly options: { dataDir: string; registry: string }) {
    this.idsFile = join(options.dataDir, 'sandbox-users.json');
    this.ids = existsSync(this.idsFile)
      ? (JSON.parse(readFileSync(this.idsFile, 'utf8')) as Record<string, number>)
      : {};
    this.owner = realpathSync(options.dataDir);
    this.openRegistry();
    const held = new Set(this.claimsOfOwner());
    // Uids already given own files in workspaces: their blocks must be this folder's.
    for (const uid of Object.values(this.ids)) {
      const block = blockOf(uid);
      if (!Number.isInteger(uid) || block < 0 || block >= BLOCKS)
        throw new DeploymentUsersError(`${this.idsFile} holds ${uid}, which is not a deployment's user id`);
      if (held.has(block)) continue;
      if (!this.claim(block)) throw this.conflict(block);
      held.add(block);
    }
    if (held.size === 0) held.add(this.claimNew([]));
    this.held = [...held].sort((a, b) => a - b);
  }

  /** The blocks this data folder holds (what `userOf` gives uids from). */
  get blocks(): readonly number[] {
    return this.held;
  }

  /** The user a deployment's code runs as, given once and kept. */
  userOf(deploymentId: string): number {
    const known = this.ids[deploymentId];
    if (known !== undefined) return known;
    const uid = this.nextFree();
    this.ids = { ...this.ids, [deploymentId]: uid };
    const tmp = `${this.idsFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.ids), { mode: 0o600 });
    renameSync(tmp, this.idsFile);
    return uid;
  }

  /** The uid after the highest given in the first held block with room, else a new block's first. */
  private nextFree(): number {
    const highest = new Map<number, number>();
    for (const uid of Object.values(this.ids))
      highest.set(blockOf(uid), Math.max(uid, highest.get(blockOf(uid)) ?? uid));
    for (const block of this.held) {
      const last = highest.get(block);
      const uid = last === undefined ? firstUidOf(block) : last + 1;
      if (blockOf(uid) === block) return uid;
    }
    const block = this.claimNew(this.held);
    this.held.push(block);
    return firstUidOf(block);
  }

  /**
   * Whoever can write the registry can make two data folders share a block, so it must be the
   * user `npm start` runs as (root) alone.
   */
  private openRegistry(): void {
    const { registry } = this.options;
    mkdirSync(registry, { recursive: true, mode: 0o755 });
    const stat = statSync(registry);
    if (stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0)
      throw new DeploymentUsersError(
        `${registry} (the registry of deployments' user ids) must be a folder only this user can write: it is owned by uid ${stat.uid}, mode ${(stat.mode & 0o777).toString(8)}. Fix its owner and mode (chown root ${registry}; chmod go-w ${registry}) or set SLIPWAY_UID_REGISTRY to another folder.`,
      );
  }

  private claimFile(block: number): string {
    return join(this.options.registry, String(block));
  }

  /** The data folder a block's claim names, or undefined when the block is free. */
  private holderOf(block: number): string | undefined {
    try {
      return readFileSync(this.claimFile(block), 'utf8').replace(/\n$/, '');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return undefined;
      throw error;
    }
  }

  private claimsOfOwner(): number[] {
    return readdirSync(this.options.registry)
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((block) => this.holderOf(block) === this.owner);
  }

  /** A file holding this data folder's path, for `link()` to put in place whole. */
  private draft(): string {
    const path = join(this.options.registry, `.draft-${process.pid}-${randomUUID()}`);
    writeFileSync(path, `${this.owner}\n`, { mode: 0o644 });
    return path;
  }

  /** Links the draft as `name`; false when `name` exists (someone else has it). */
  private place(name: string): boolean {
    const draft = this.draft();
    try {
      linkSync(draft, join(this.options.registry, name));
      return true;
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false;
      throw error;
    } finally {
      rmSync(draft, { force: true });
    }
  }

  /** Takes `block` if it is free, already this folder's, or its data folder no longer exists. */
  private claim(block: number): boolean {
    if (this.holderOf(block) === undefined && this.place(String(block))) return true;
    const holder = this.holderOf(block);
    if (holder === this.owner) return true;
    return holder !== undefined && !existsSync(holder) && this.takeOver(block, holder);
  }

  /**
   * A block whose data folder is gone (tests' temporary folders come and go) is given to this
   * one. Its uids then run this folder's deployments, and whatever those uids still own outside
   * the gone folder becomes theirs: workspaces it left in the workspace folder (by default
   * /var/tmp/slipway-workspaces-0/<hash>, in folders they cannot list, so they would have to
   * guess the path), and files left in a shared /tmp where there are no mount namespaces.
   * Removing a data folder should go with removing its workspaces.
   *
   * One run at a time may take a block over: the one that places `<n>.taking-over`. It checks
   * again under that lock that the holder is still the gone folder, then replaces the claim
   * with one `rename()`. A run killed in between leaves the lock, and that block is never taken
   * over again: one lost block of 19,998.
   */
  private takeOver(block: number, holder: string): boolean {
    const lock = `${block}.taking-over`;
    if (!this.place(lock)) return false;
    try {
      if (this.holderOf(block) !== holder || existsSync(holder)) return false;
      const draft = this.draft();
      renameSync(draft, this.claimFile(block));
      return true;
    } finally {
      rmSync(join(this.options.registry, lock), { force: true });
    }
  }

  /** The first block this folder can claim, past those it holds already (they are full). */
  private claimNew(full: readonly number[]): number {
    for (let block = FIRST_NEW_BLOCK; block < BLOCKS; block++)
      if (!full.includes(block) && this.claim(block)) return block;
    throw new DeploymentUsersError(
      `No block of user ids is left in ${this.options.registry}: remove the files there that name data folders no longer used.`,
    );
  }

  private conflict(block: number): DeploymentUsersError {
    const file = this.claimFile(block);
    return new DeploymentUsersError(
      `The user ids ${firstUidOf(block)}…${firstUidOf(block + 1) - 1} of this data folder's deployments (${this.idsFile}) belong to another data folder, ${this.holderOf(block) ?? 'unknown'} (${file}): two folders sharing them would share users. If that folder is no longer used, remove ${file} and start again; otherwise delete ${this.idsFile} to give this folder's deployments new users (each deployment's workspace is handed to its new user when its code next runs).`,
    );
  }
}
