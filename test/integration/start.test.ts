import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/local/ports.ts';
import { defaultWorkspaceDir } from '../../functions/local/stack.ts';
import type { JsonBody } from '../helpers.ts';

/**
 * `npm start` as a newcomer runs it: a child process with its own data dir and port,
 * observed only through its output, its HTTP API and the process table.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-start-'));

/** A newcomer's environment: none of the test stack's endpoints, table or key. */
const newcomerEnv = (extra: Record<string, string>): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries({ ...process.env, ...extra }).filter(
      ([name]) =>
        !/^(SLIPWAY_(?!DATA_DIR)|AWS_(ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY|REGION))/.test(name),
    ),
  );

interface Started {
  child: ChildProcess;
  url: string;
  lines: Record<string, string>;
  output: () => string;
}

const waitForExit = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once('exit', (code) => r(code)));

/**
 * npm 11 exits at once on SIGTERM and the service notices its parent is gone, so the rest
 * of the group stops a moment later; there is no event to await, so poll the process table.
 */
const groupEmpties = async (pgid: number): Promise<string[]> => {
  for (let i = 0; i < 150; i++) {
    const left = processesInGroup(pgid);
    if (left.length === 0) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
  return processesInGroup(pgid);
};

/** Resolves once the ready lines (the store's last) are printed; rejects if the process exits first or 60 s pass. */
const start = (port: number, env: Record<string, string> = {}): Promise<Started> =>
  new Promise((resolveStart, reject) => {
    const child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: newcomerEnv({ SLIPWAY_DATA_DIR: dataDir, PORT: String(port), ...env }),
      detached: true, // its own process group, so the test can look for leftovers
    });
    if (child.pid) startedGroups.push(child.pid);
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const lines = Object.fromEntries(
        [
          ...output.matchAll(
            /^(Slipway ready at|Admin client id:|Admin client secret:|Admin token:|Store hash:|Store token:) (\S+)$/gm,
          ),
        ].map((m) => [m[1] ?? '', m[2] ?? '']),
      );
      if (lines['Store token:']) {
        child.stdout?.off('data', onData);
        resolveStart({ child, url: lines['Slipway ready at'] ?? '', lines, output: () => output });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code} before ready:\n${output}`)));
    setTimeout(
      () => reject(new Error(`npm start printed no ready lines within 60 s:\n${output}`)),
      60_000,
    ).unref();
  });

/** Every process still alive in the group (npm, sh, node, the DynamoDB watchdog and its JVM). */
const processesInGroup = (pgid: number): string[] => {
  try {
    return execFileSync('ps', ['-o', 'pid=,args=', '-g', String(pgid)], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '');
  } catch {
    return []; // ps exits 1 when nothing matches
  }
};

const javaUsing = (dir: string): string[] =>
  execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('DynamoDBLocal.jar') && line.includes(dir));

/** Every group this file started, so a failed assertion cannot leave a service (and its JVM) running. */
const startedGroups: number[] = [];

afterAll(() => {
  for (const pgid of startedGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
  // Its applications were built outside the data folder; their uids may be handed out again.
  rmSync(defaultWorkspaceDir(dataDir), { recursive: true, force: true });
});

describe('npm start', () => {
  it('serves the API, keeps data across a restart, and leaves no process behind on SIGTERM', async () => {
    const port = await freePort();

    const first = await start(port);
    const health = await fetch(`${first.url}/health`);
    const created = await fetch(`${first.url}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.lines['Admin token:']}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'kept-across-restart', name: 'Kept' }),
    });
    const anonymous = await fetch(`${first.url}/projects`);
    const storeProjects = await fetch(
      `${first.url}/stores/${first.lines['Store hash:']}/v3/infrastructure/projects`,
      { headers: { 'x-auth-token': first.lines['Store token:'] ?? '' } },
    );

    expect(first.url).toBe(`http://127.0.0.1:${port}`);
    expect(first.lines['Admin client id:']).toMatch(/^[a-z0-9]{24}$/);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      dependencies: { dynamodb: 'ok', s3: 'ok', stepFunctions: 'ok' },
    });
    expect(created.status).toBe(201);
    expect(anonymous.status).toBe(401);
    // The development store is the development tenant: its token sees the project made above.
    expect(storeProjects.status).toBe(200);
    expect(((await storeProjects.json()) as JsonBody).data).toEqual([
      expect.objectContaining({ name: 'Kept' }),
    ]);
    expect(((await anonymous.json()) as JsonBody).errors[0].code).toBe('AuthenticationError');

    // `npm run client:create` writes to the running instance; the new client gets a token there.
    const created2 = execFileSync(
      'npm',
      ['run', '-s', 'client:create', '--', '--scopes', 'view_connectors'],
      {
        cwd: ROOT,
        env: newcomerEnv({ SLIPWAY_DATA_DIR: dataDir }),
        encoding: 'utf8',
      },
    );
    const clientId = /^Client id: (\S+)$/m.exec(created2)?.[1];
    const clientSecret = /^Client secret: (\S+)$/m.exec(created2)?.[1];
    const issued = await fetch(`${first.url}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    expect(issued.status).toBe(200);
    expect(((await issued.json()) as JsonBody).scope).toBe('view_connectors');

    // A second instance on the same port says so and exits non-zero.
    const second = spawn('npm', ['start'], {
      cwd: ROOT,
      env: newcomerEnv({ SLIPWAY_DATA_DIR: dataDir, PORT: String(port) }),
    });
    let secondOutput = '';
    second.stderr?.on('data', (chunk: Buffer) => {
      secondOutput += chunk.toString();
    });
    expect(await waitForExit(second)).not.toBe(0);
    expect(secondOutput).toContain(`Port ${port} on 127.0.0.1 is already in use`);

    first.child.kill('SIGTERM');
    await waitForExit(first.child);
    expect(await groupEmpties(first.child.pid ?? 0)).toEqual([]);
    expect(javaUsing(dataDir)).toEqual([]);

    // Restart: the project is still there, and the client id is the same (its secret rotated).
    const restarted = await start(port);
    try {
      const token = await fetch(`${restarted.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(
            `${restarted.lines['Admin client id:']}:${restarted.lines['Admin client secret:']}`,
          ).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const { access_token } = (await token.json()) as JsonBody;
      const kept = await fetch(`${restarted.url}/projects/kept-across-restart`, {
        headers: { authorization: `Bearer ${access_token}` },
      });

      // The store token is kept: one exported in a shell still works, and none piles up.
      const storeAgain = await fetch(
        `${restarted.url}/stores/${restarted.lines['Store hash:']}/v3/infrastructure/projects`,
        { headers: { 'x-auth-token': first.lines['Store token:'] ?? '' } },
      );

      expect(restarted.lines['Admin client id:']).toBe(first.lines['Admin client id:']);
      expect(restarted.lines['Admin client secret:']).not.toBe(first.lines['Admin client secret:']);
      expect(restarted.lines['Store token:']).toBe(first.lines['Store token:']);
      expect(storeAgain.status).toBe(200);
      expect(statSync(join(dataDir, 'dev-store.token')).mode & 0o777).toBe(0o600);
      expect(token.status).toBe(200);
      expect(kept.status).toBe(200);
      expect(((await kept.json()) as JsonBody).name).toBe('Kept');
    } finally {
      // Ctrl-C in a terminal signals the whole foreground group.
      process.kill(-(restarted.child.pid ?? 0), 'SIGINT');
      await waitForExit(restarted.child);
    }
    expect(await groupEmpties(restarted.child.pid ?? 0)).toEqual([]);
  }, 120_000);

  it('explains how to install Java when java is missing, and exits non-zero', async () => {
    // A PATH holding only node: no java anywhere.
    const bin = mkdtempSync(join(tmpdir(), 'slipway-nojava-'));
    symlinkSync(process.execPath, join(bin, 'node'));
    const child = spawn(join(bin, 'node'), ['--import', 'tsx', 'functions/local/start.ts'], {
      cwd: ROOT,
      env: newcomerEnv({ PATH: bin, SLIPWAY_DATA_DIR: dataDir, PORT: String(await freePort()) }),
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    const code = await waitForExit(child);
    rmSync(bin, { recursive: true, force: true });

    expect(code).toBe(1);
    expect(stderr).toContain('Java 17 or newer is required');
    expect(stderr).toContain('apt-get install openjdk-17-jre-headless');
  }, 60_000);

  it('refuses a SLIPWAY_CORS_ORIGINS entry that is not an origin, naming it, before starting anything', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/start.ts'], {
      cwd: ROOT,
      env: {
        ...newcomerEnv({ SLIPWAY_DATA_DIR: dataDir, PORT: String(await freePort()) }),
        SLIPWAY_CORS_ORIGINS: 'https://console.example.com,console.example.com',
      },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });

    expect(await waitForExit(child)).toBe(1);
    expect(stderr).toContain("SLIPWAY_CORS_ORIGINS: CORS origins: 'console.example.com' is not an origin");
  }, 60_000);
});
