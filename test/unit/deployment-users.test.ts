import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  BLOCK_SIZE,
  blockOf,
  DeploymentUsers,
  DeploymentUsersError,
  FIRST_UID,
} from '../../functions/local/deployment-users.ts';

/**
 * How data folders get their deployments' uids: blocks claimed in a registry of the machine, so
 * two `npm start` runs never share a user. Each test has a registry of its own.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const tempDir = (name: string) => {
  const dir = mkdtempSync(join(tmpdir(), `slipway-uids-${name}-`));
  dirs.push(dir);
  return dir;
};

const setup = () => ({ registry: tempDir('registry'), dataDir: tempDir('data') });

const usersOf = (dataDir: string, registry: string) => new DeploymentUsers({ dataDir, registry });

/** A claim as the registry holds it: the owning data folder's real path. */
const holderOf = (registry: string, block: number) =>
  readFileSync(join(registry, String(block)), 'utf8').trim();

const writeIds = (dataDir: string, ids: Record<string, number>) =>
  writeFileSync(join(dataDir, 'sandbox-users.json'), JSON.stringify(ids));

describe.runIf(process.getuid?.() === 0)("deployments' users (as root)", () => {
  it('gives two data folders disjoint blocks, so their deployments never share a uid', () => {
    const { registry, dataDir } = setup();
    const other = tempDir('other');
    const one = usersOf(dataDir, registry);
    const two = usersOf(other, registry);
    const ones = ['a', 'b', 'c'].map((d) => one.userOf(d));
    const twos = ['a', 'b', 'c'].map((d) => two.userOf(d));
    expect(new Set(ones.map(blockOf))).toEqual(new Set(one.blocks));
    expect(new Set(twos.map(blockOf))).toEqual(new Set(two.blocks));
    expect(one.blocks.some((b) => two.blocks.includes(b))).toBe(false);
    expect(Math.min(...ones, ...twos)).toBeGreaterThanOrEqual(FIRST_UID + BLOCK_SIZE);
    expect(holderOf(registry, one.blocks[0] ?? -1)).toBe(realpathSync(dataDir));
  });

  it('gives a data folder its block back on the next start, and each deployment its uid', () => {
    const { registry, dataDir } = setup();
    const first = usersOf(dataDir, registry);
    usersOf(tempDir('other'), registry);
    const again = usersOf(dataDir, registry);
    expect(again.blocks).toEqual(first.blocks);
    const uid = again.userOf('dep-1');
    expect(usersOf(dataDir, registry).userOf('dep-1')).toBe(uid);
    expect(usersOf(dataDir, registry).userOf('dep-2')).toBe(uid + 1);
  });

  it('gives the block of a data folder that no longer exists to another', () => {
    const { registry, dataDir } = setup();
    const gone = tempDir('gone');
    const goneBlocks = usersOf(gone, registry).blocks;
    rmSync(gone, { recursive: true });
    expect(usersOf(dataDir, registry).blocks).toEqual(goneBlocks);
    expect(holderOf(registry, goneBlocks[0] ?? -1)).toBe(realpathSync(dataDir));
  });

  it('keeps the uids of a data folder from before the registry, claiming their block', () => {
    const { registry, dataDir } = setup();
    writeIds(dataDir, { 'dep-1': FIRST_UID, 'dep-2': FIRST_UID + 1 });
    const users = usersOf(dataDir, registry);
    expect(users.userOf('dep-1')).toBe(FIRST_UID);
    expect(users.userOf('dep-3')).toBe(FIRST_UID + 2);
    expect(holderOf(registry, 0)).toBe(realpathSync(dataDir));
    // A new data folder is not given that block.
    expect(usersOf(tempDir('new'), registry).blocks).not.toContain(0);
  });

  it('refuses to start a data folder whose uids another live data folder holds, saying what to do', () => {
    const { registry, dataDir } = setup();
    const other = tempDir('other');
    writeIds(other, { 'dep-1': FIRST_UID });
    usersOf(other, registry);
    writeIds(dataDir, { 'dep-9': FIRST_UID + 5 });
    const start = () => usersOf(dataDir, registry);
    expect(start).toThrow(DeploymentUsersError);
    expect(start).toThrow(new RegExp(`belong to another data folder, ${realpathSync(other)}`));
    expect(start).toThrow(/remove .*\/0 and start again; otherwise delete .*sandbox-users\.json/);
  });

  it('claims another block when its blocks are full', () => {
    const { registry, dataDir } = setup();
    writeIds(dataDir, { last: FIRST_UID + BLOCK_SIZE - 1 });
    const users = usersOf(dataDir, registry);
    const next = users.userOf('next');
    expect(blockOf(next)).toBe(1);
    expect(users.blocks).toEqual([0, 1]);
    expect(usersOf(dataDir, registry).userOf('after')).toBe(next + 1);
  });

  it('refuses a registry that other users can write', () => {
    const { registry, dataDir } = setup();
    chmodSync(registry, 0o777);
    expect(() => usersOf(dataDir, registry)).toThrow(/only this user can write/);
  });

  it('gives runs that claim at the same moment a block each, free or taken over', async () => {
    const { registry } = setup();
    // Blocks 1 to 100 held by folders that are gone: the runs race to take them over, then for
    // free blocks.
    for (let i = 0; i < 100; i++) {
      const gone = tempDir('gone');
      usersOf(gone, registry);
      rmSync(gone, { recursive: true });
    }
    const go = join(tempDir('go'), 'go');
    const runs = 4;
    const claimsPerRun = 30;
    // Each run loads the module, says so, and waits for the go file; then its claims, one data
    // folder after another, overlap the other runs'.
    const child = `
      const { existsSync, mkdtempSync } = await import('node:fs');
      const { join } = await import('node:path');
      const { DeploymentUsers } = await import(process.env.MODULE);
      process.stdout.write('ready\\n');
      while (!existsSync(process.env.GO)) {}
      const uids = [];
      for (let i = 0; i < ${claimsPerRun}; i++) {
        const dataDir = mkdtempSync(join(process.env.DATA_DIRS, 'data-'));
        uids.push(new DeploymentUsers({ dataDir, registry: process.env.REGISTRY }).userOf('d'));
      }
      process.stdout.write(JSON.stringify(uids));
    `;
    const ready: Promise<void>[] = [];
    const results = Array.from({ length: runs }, () => {
      const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], {
        env: {
          ...process.env,
          MODULE: join(import.meta.dirname, '..', '..', 'functions', 'local', 'deployment-users.ts'),
          GO: go,
          DATA_DIRS: tempDir('data'),
          REGISTRY: registry,
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      // A run that dies before it is ready must not keep the others waiting: its exit fails the test.
      ready.push(
        new Promise((resolve) => {
          proc.stdout.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            if (out.startsWith('ready\n')) resolve();
          });
          proc.on('exit', () => resolve());
        }),
      );
      return new Promise<number[]>((resolve, reject) =>
        proc.on('exit', (code) =>
          code === 0
            ? resolve(JSON.parse(out.slice('ready\n'.length)) as number[])
            : reject(new Error(`exit ${code}`)),
        ),
      );
    });
    await Promise.all(ready);
    writeFileSync(go, '');
    const blocks = (await Promise.all(results)).flat().map(blockOf);
    expect(blocks.sort((a, b) => a - b)).toEqual(
      Array.from({ length: runs * claimsPerRun }, (_, i) => i + 1),
    );
  });
});
