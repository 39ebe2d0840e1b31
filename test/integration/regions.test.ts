import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CONNECT_REGIONS } from '../../functions/core/deployments/regions.ts';
import { freePort } from '../../functions/local/ports.ts';
import { runtimeFileOf } from '../../functions/local/runtime-file.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * Which regions a deployment may name: by default `local` and every region Connect's clients
 * offer (the commercetools CLI's `--region` choices); under `npm start`, `SLIPWAY_REGIONS`
 * replaces that list.
 */

const ROOT = resolve(import.meta.dirname, '..', '..');
const dataDir = mkdtempSync(join(tmpdir(), 'slipway-regions-'));

/** A newcomer's environment (none of the test stack's endpoints, table, key or regions), plus `extra`. */
const newcomerEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(SLIPWAY_|AWS_(ENDPOINT_URL|ACCESS_KEY_ID|SECRET_ACCESS_KEY|REGION))/.test(name),
    ),
  ),
  ...extra,
});

/** Every group this file started, so a failed assertion cannot leave a service (and its JVM) running. */
const startedGroups: number[] = [];

interface Run {
  child: ChildProcess;
  output: () => string;
  /** The admin token once the ready lines are printed; rejects with the output if it exits first. */
  ready: Promise<{ url: string; token: string }>;
  exit: Promise<number | null>;
}

const npmStart = (env: Record<string, string>): Run => {
  const child = spawn('npm', ['start'], { cwd: ROOT, env: newcomerEnv(env), detached: true });
  if (child.pid) startedGroups.push(child.pid);
  let output = '';
  const exit = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const ready = new Promise<{ url: string; token: string }>((resolveReady, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const url = /^Slipway ready at (\S+)$/m.exec(output)?.[1];
      const token = /^Admin token: (\S+)$/m.exec(output)?.[1];
      if (url && token) resolveReady({ url, token });
    });
    void exit.then((code) => reject(new Error(`npm start exited with ${code} before ready:\n${output}`)));
  });
  ready.catch(() => undefined);
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  return { child, output: () => output, ready, exit };
};

const createDeployment = (url: string, token: string, projectKey: string, region: string) =>
  fetch(`${url}/${projectKey}/deployments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ connector: { key: 'no-such-connector' }, region }),
  });

afterAll(() => {
  for (const pgid of startedGroups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(dataDir, { recursive: true, force: true });
});

describe('regions by default', () => {
  const projectKey = uniqueKey('regions');
  let token: string;

  beforeAll(async () => {
    token = await tokenFor(newTenant(), ['admin']);
    await api('/projects', { token, body: { key: projectKey } });
  });

  it('serve local and every region the commercetools CLI offers, us-east-2.aws among them', async () => {
    // The region is checked before the connector is looked up: a served region gets as far as the connector.
    const served = await createDeployment(inject('gatewayUrl'), token, projectKey, 'us-east-2.aws');
    const unserved = await createDeployment(
      inject('gatewayUrl'),
      token,
      projectKey,
      'germanywestcentral.azure',
    );

    expect(inject('stackEnv').SLIPWAY_REGIONS).toBe(['local', ...CONNECT_REGIONS].join(','));
    expect(served.status).toBe(400);
    expect(((await served.json()) as JsonBody).errors[0].code).toBe('ConnectorReferenceNotFound');
    expect(unserved.status).toBe(400);
    expect(((await unserved.json()) as JsonBody).errors[0]).toMatchObject({
      code: 'DeploymentUnsupportedRegion',
      supportedRegions: ['local', ...CONNECT_REGIONS].join(', '),
    });
  });
});

describe('SLIPWAY_REGIONS under npm start', () => {
  it('refuses to start when it names no region, saying so', async () => {
    const run = npmStart({
      SLIPWAY_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SLIPWAY_REGIONS: ' , ',
    });

    expect(await run.exit).toBe(1);
    expect(run.output()).toContain("SLIPWAY_REGIONS names no region (got ' , ')");
    expect(run.output()).not.toContain('Slipway ready at');
  }, 30_000);

  it('replaces the default list: trimmed, empty entries ignored', async () => {
    const run = npmStart({
      SLIPWAY_DATA_DIR: dataDir,
      PORT: String(await freePort()),
      SLIPWAY_REGIONS: ' eu-central-1.aws , ,local ',
    });
    const { url, token } = await run.ready;
    const runtime = JSON.parse(readFileSync(runtimeFileOf(dataDir), 'utf8'));
    const project = await fetch(`${url}/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'regions' }),
    });

    const served = await createDeployment(url, token, 'regions', 'eu-central-1.aws');
    const unserved = await createDeployment(url, token, 'regions', 'us-east-2.aws');

    expect(project.status).toBe(201);
    expect(runtime.env.SLIPWAY_REGIONS).toBe('eu-central-1.aws,local');
    expect(((await served.json()) as JsonBody).errors[0].code).toBe('ConnectorReferenceNotFound');
    expect(unserved.status).toBe(400);
    expect(((await unserved.json()) as JsonBody).errors[0]).toMatchObject({
      code: 'DeploymentUnsupportedRegion',
      supportedRegions: 'eu-central-1.aws, local',
    });
    process.kill(-(run.child.pid ?? 0), 'SIGTERM');
    await run.exit;
  }, 120_000);
});
