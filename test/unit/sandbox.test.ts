import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, detectSandboxMode, Sandbox } from '../../functions/local/sandbox.ts';

/**
 * How `npm start` starts tenants' code in each mode, checked as configuration: the `user` mode
 * for real in test/proof/hostile.test.ts (CI runs as root), the others here.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const setup = (mode: 'user' | 'node-permission' | 'none') => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-sandbox-data-'));
  const workspaceRoot = mkdtempSync(join(tmpdir(), 'slipway-sandbox-ws-'));
  // Its own registry of uid blocks, not the machine's (test/unit/deployment-users.test.ts).
  const uidRegistry = mkdtempSync(join(tmpdir(), 'slipway-sandbox-uids-'));
  dirs.push(dataDir, workspaceRoot, uidRegistry);
  return {
    dataDir,
    workspaceRoot,
    uidRegistry,
    sandbox: new Sandbox(mode, { dataDir, workspaceRoot, limits: DEFAULT_LIMITS, uidRegistry }),
  };
};

describe('the sandbox mode', () => {
  it('is user as root, node-permission otherwise, and what SLIPWAY_SANDBOX names when it can be', () => {
    const root = process.getuid?.() === 0;
    expect(detectSandboxMode(undefined)).toBe(root ? 'user' : 'node-permission');
    expect(detectSandboxMode('none')).toBe('none');
    expect(detectSandboxMode('node-permission')).toBe('node-permission');
    if (!root) expect(() => detectSandboxMode('user')).toThrow(/root/);
  });

  it('says what it does not isolate', () => {
    expect(setup('node-permission').sandbox.describe()).toMatch(
      /Not isolated: builds, scripts and `npm start` applications/,
    );
    expect(setup('none').sandbox.describe()).toMatch(/none/);
  });
});

describe('node-permission mode', () => {
  it("runs a Node entry point with reads and writes limited to its folder (and Node's own), and no child processes", () => {
    const { sandbox, workspaceRoot } = setup('node-permission');
    const cwd = join(workspaceRoot, 'dep-1', 'build-1', 'service');
    const spec = sandbox.spawnSpec({ file: process.execPath, args: ['server.js'], cwd, env: { PORT: '1' } });
    expect(spec.file).toBe(process.execPath);
    expect(spec.args).toEqual([
      '--experimental-permission',
      `--allow-fs-read=${cwd}`,
      expect.stringMatching(/^--allow-fs-read=\//),
      `--allow-fs-write=${cwd}`,
      '--no-warnings',
      'server.js',
    ]);
    expect(spec.args.some((a) => a.includes('child-process'))).toBe(false);
    expect(spec.uid).toBeUndefined();
  });

  it('leaves a command outside any workspace, or not Node, as it is', () => {
    const { sandbox, workspaceRoot } = setup('node-permission');
    const npm = { file: 'npm', args: ['start'], cwd: join(workspaceRoot, 'dep-1'), env: {} };
    expect(sandbox.spawnSpec(npm)).toEqual(npm);
    const elsewhere = { file: process.execPath, args: ['x.js'], cwd: '/somewhere/else', env: {} };
    expect(sandbox.spawnSpec(elsewhere)).toEqual(elsewhere);
  });
});

describe.runIf(process.getuid?.() === 0)('user mode (as root)', () => {
  it('runs each deployment as a user of its own, kept across starts, within the process and file limits', () => {
    const { sandbox, workspaceRoot, dataDir, uidRegistry } = setup('user');
    const one = sandbox.spawnSpec({
      file: 'sh',
      args: ['-c', 'npm ci'],
      cwd: join(workspaceRoot, 'dep-1', 'b', 'app'),
      env: {},
    });
    const two = sandbox.spawnSpec({
      file: 'sh',
      args: ['-c', 'npm ci'],
      cwd: join(workspaceRoot, 'dep-2', 'b', 'app'),
      env: {},
    });
    const text = (s: typeof one) => [s.file, ...s.args].join(' ');
    expect(text(one)).toContain(`--nproc=${DEFAULT_LIMITS.processes}`);
    expect(text(one)).toContain(`--nofile=${DEFAULT_LIMITS.openFiles}`);
    expect(text(one)).toContain('-- sh -c npm ci');
    const uidOf = (s: typeof one) => Number(/--reuid=(\d+)/.exec(text(s))?.[1] ?? s.uid);
    expect(uidOf(one)).toBeGreaterThanOrEqual(200_000);
    expect(uidOf(two)).not.toBe(uidOf(one));
    expect(one.env.HOME).toBe(join(workspaceRoot, 'dep-1', '.home'));
    // Kept in the data folder: the same deployment gets the same user after a restart.
    const again = new Sandbox('user', { dataDir, workspaceRoot, limits: DEFAULT_LIMITS, uidRegistry });
    expect(again.userOf('dep-1')).toBe(uidOf(one));
  });
});
