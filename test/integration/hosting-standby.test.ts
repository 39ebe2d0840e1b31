import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { groupAlive } from '../../functions/adapters/runtime/process-runner.ts';
import type { HostingRequest } from '../../functions/core/hosting/ports.ts';
import { createGateway, listen } from '../../functions/local/gateway.ts';
import { type HostingOutput, LocalHosting } from '../../functions/local/hosting/index.ts';
import { standbyMsFromEnvironment } from '../../functions/local/hosting/standby.ts';

/**
 * Warm standby (`functions/local/hosting/standby.ts`): the build a redeploy replaced keeps
 * running out of traffic, so a rollback to it is a switch. Driven through `LocalHosting`
 * itself, with a gateway in front for the stable address, as `npm start` wires them.
 */

/** Answers every request with its pid and GREETING. */
const APP = `require('node:http').createServer((req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ pid: process.pid, greeting: process.env.GREETING }));
}).listen(Number(process.env.PORT), '127.0.0.1');`;

const ADDRESS = '/apps/shop/dep-1/service';

let root: string;
let hosting: LocalHosting;
let gateway: Server;
let gatewayUrl: string;
let outputs: HostingOutput[];

const start = async (standbyMs: number) => {
  hosting = new LocalHosting({
    dataDir: join(root, 'data'),
    workspaceRoot: join(root, 'work'),
    secretsKey: randomBytes(32).toString('base64'),
    token: randomBytes(16).toString('hex'),
    onOutput: (o) => outputs.push(o),
    // The supervisor watches parked applications for their limits (and sees them end).
    limits: { memoryMb: 4096, processes: 64, logLinesPerMinute: 1000 },
    standbyMs,
  });
  await hosting.listen();
  gateway = createGateway({
    maxBodyBytes: 1024,
    invoke: async () => ({ statusCode: 404, body: '{}' }),
    hosted: (req, res) => hosting.serveApp(req, res),
  });
  gatewayUrl = `http://127.0.0.1:${await listen(gateway, 0)}`;
  hosting.setPublicUrl(gatewayUrl);
};

/** Hosting `buildId`'s request; a rollback hosts the files of `filesOf` under its own id. */
const request = (buildId: string, greeting = 'hello', filesOf = buildId): HostingRequest => {
  const bundle = join(root, 'work', 'dep-1', filesOf, 'service');
  mkdirSync(bundle, { recursive: true });
  writeFileSync(join(bundle, 'server.js'), APP);
  return {
    projectId: 'project-1',
    deploymentId: 'dep-1',
    buildId,
    applicationName: 'service',
    applicationType: 'service',
    endpoint: '/service',
    address: ADDRESS,
    bundle,
    environment: { GREETING: greeting },
    secretValues: [],
  };
};

/** The pid of the process that serves the stable address now. */
const servingPid = async (): Promise<number> =>
  ((await (await fetch(`${gatewayUrl}${ADDRESS}/`)).json()) as { pid: number }).pid;

/** Hosts `buildId` as a redeploy would: it answers, then every other build is replaced. */
const deploy = async (buildId: string, greeting?: string, filesOf?: string): Promise<number> => {
  await hosting.host(request(buildId, greeting, filesOf));
  await hosting.stop({ deploymentId: 'dep-1', exceptBuildId: buildId, keepFiles: true });
  return servingPid();
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'slipway-standby-'));
  outputs = [];
});

afterEach(async () => {
  gateway.close();
  gateway.closeAllConnections();
  await hosting.close();
  rmSync(root, { recursive: true, force: true });
});

describe('warm standby', () => {
  it('keeps a replaced build running out of traffic, and hosting it again switches back to the same process', async () => {
    await start(60_000);
    const first = await deploy('build-1');
    const second = await deploy('build-2');

    expect(second).not.toBe(first);
    expect(groupAlive(first)).toBe(true);
    expect(hosting.list().map((a) => a.buildId)).toEqual(['build-2']);

    const back = await deploy('build-1');

    expect(back).toBe(first);
    expect(outputs.map((o) => o.line)).toContain(
      "[slipway] 'service' is back from standby: its processes were still running",
    );
    // build-2 is the one on standby now.
    expect(groupAlive(second)).toBe(true);
    expect(await deploy('build-2')).toBe(second);
  });

  it('hands the parked processes to the operation that restores their build, under its own id', async () => {
    await start(60_000);
    const first = await deploy('build-1');
    await deploy('build-2');

    expect(await deploy('rollback-3', 'hello', 'build-1')).toBe(first);
    expect(hosting.list().map((a) => a.buildId)).toEqual(['rollback-3']);
    // It is that operation's now: stopping the operation's build stops it.
    await hosting.stop({ deploymentId: 'dep-1', buildId: 'rollback-3' });
    expect(groupAlive(first)).toBe(false);
  });

  it('keeps only the build replaced last', async () => {
    await start(60_000);
    const first = await deploy('build-1');
    const second = await deploy('build-2');
    await deploy('build-3');

    expect(groupAlive(second)).toBe(true);
    expect(groupAlive(first)).toBe(false);
  });

  it('stops the parked build when the deployment is stopped, and when npm start closes', async () => {
    await start(60_000);
    const first = await deploy('build-1');
    const second = await deploy('build-2');

    await hosting.stop({ deploymentId: 'dep-1' });

    expect(groupAlive(first)).toBe(false);
    expect(groupAlive(second)).toBe(false);

    const third = await deploy('build-3');
    await deploy('build-4');
    await hosting.close();
    expect(groupAlive(third)).toBe(false);
  });

  it('ends a parked build when its window is over', async () => {
    await start(300);
    const first = await deploy('build-1');
    await deploy('build-2');

    await vi.waitFor(() => expect(groupAlive(first)).toBe(false), { timeout: 5_000, interval: 50 });
  });

  it('starts afresh a build asked for with another environment, and one whose parked process ended', async () => {
    await start(60_000);
    const first = await deploy('build-1');
    await deploy('build-2');

    const changed = await deploy('build-1', 'hi again');

    expect(changed).not.toBe(first);
    expect(groupAlive(first)).toBe(false);
    expect(((await (await fetch(`${gatewayUrl}${ADDRESS}/`)).json()) as { greeting: string }).greeting).toBe(
      'hi again',
    );

    const second = await deploy('build-2');
    process.kill(-changed, 'SIGKILL'); // build-1 is parked now: it dies out of sight
    await vi.waitFor(() => expect(groupAlive(changed)).toBe(false), { timeout: 5_000, interval: 50 });
    const restarted = await deploy('build-1', 'hi again');
    expect([changed, second]).not.toContain(restarted);
  });

  it('stops the replaced build at once when standby is off', async () => {
    await start(0);
    const first = await deploy('build-1');
    await deploy('build-2');

    expect(groupAlive(first)).toBe(false);
  });
});

describe('SLIPWAY_STANDBY_SECONDS', () => {
  it('is 10 minutes when unset, takes 0 to 3600 seconds, and names itself when wrong', () => {
    expect(standbyMsFromEnvironment(undefined)).toBe(600_000);
    expect(standbyMsFromEnvironment('0')).toBe(0);
    expect(standbyMsFromEnvironment('45')).toBe(45_000);
    expect(() => standbyMsFromEnvironment('3601')).toThrow(/SLIPWAY_STANDBY_SECONDS/);
    expect(() => standbyMsFromEnvironment('ten')).toThrow(/SLIPWAY_STANDBY_SECONDS.*'ten'/);
  });
});
