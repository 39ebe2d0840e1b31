import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupAlive } from '../../functions/adapters/runtime/process-runner.ts';
import type { LedgerEntry } from '../../functions/local/process-ledger.ts';
import { defaultWorkspaceDir } from '../../functions/local/stack.ts';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { type Server, startServer } from '../fixtures/server.ts';
import { holdExecutions } from '../fixtures/workflows.ts';

/**
 * `kill -9` of `npm start` (its whole process group, as a crash or the OOM killer would) at
 * each point of a deployment, then a start on the same data folder: the deployment ends
 * `Failed` at start-up, what was stored before is byte-identical, a new deployment goes
 * through, and not one process the killed run started (its build, its script, its half-hosted
 * app) survives the restart. Also a graceful stop in the middle of a build.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
type Json = any;

const dataDir = mkdtempSync(join(tmpdir(), 'slipway-crash-'));
let server: Server;

const call = async (
  path: string,
  body?: unknown,
  method = body === undefined ? 'GET' : 'POST',
): Promise<Json> => {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json: Json = res.status === 204 ? {} : await res.json();
  if (res.status >= 500) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return { ...json, httpStatus: res.status };
};

const ledger = (): LedgerEntry[] => {
  const file = join(dataDir, 'processes.json');
  return existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as { entries: LedgerEntry[] }).entries
    : [];
};

/** Resolves once the process ledger holds a matching entry (it is rewritten, and watched, as processes start). */
const untilLedger = (match: (e: LedgerEntry) => boolean): Promise<LedgerEntry> =>
  new Promise((resolve, reject) => {
    const look = () => ledger().find(match);
    const found = look();
    if (found) return resolve(found);
    const watcher = watch(dataDir, () => {
      const entry = look();
      if (!entry) return;
      watcher.close();
      clearTimeout(timer);
      resolve(entry);
    });
    const timer = setTimeout(() => {
      watcher.close();
      reject(new Error(`no such process was started: ${JSON.stringify(ledger())}`));
    }, 60_000);
  });

/** A connector of one service whose build, start or postDeploy script never ends, as `stage` says. */
const connector = (stage: 'none' | 'build' | 'hosting' | 'script') => {
  const forever = `node -e "setInterval(() => {}, 1000)"`;
  const server = `require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT, '127.0.0.1');`;
  return zipBytes({
    'connect.yaml': text(`deployAs:
  - name: service
    applicationType: service
    endpoint: /
${stage === 'script' ? `    scripts:\n      postDeploy: ${forever}\n` : ''}`),
    'service/package.json': text(
      JSON.stringify({ main: 'server.js', ...(stage === 'build' ? { scripts: { build: forever } } : {}) }),
    ),
    'service/server.js': text(stage === 'hosting' ? 'setInterval(() => {}, 1000);' : server),
  });
};

/** Creates a deployment from an upload of `bytes` in `projectKey`; answers it as created. */
const deploy = async (projectKey: string, bytes: Uint8Array, key: string): Promise<Json> => {
  const signature = await call(`/${projectKey}/uploads`, {});
  await fetch(signature.url, { method: 'PUT', headers: signature.headers, body: bytes });
  // Storage reports the object to the upload-events function a moment after the PUT.
  for (let i = 0; (await call(`/${projectKey}/uploads/${signature.id}`)).status !== 'uploaded'; i++) {
    if (i > 200) throw new Error('the upload was never recorded');
    await new Promise((r) => setTimeout(r, 25));
  }
  const created = await call(`/${projectKey}/deployments`, {
    key,
    artifact: { uploadId: signature.id },
    region: 'local',
  });
  expect(created.httpStatus).toBe(201);
  return created;
};

/** Waits for a deployment's workflow to end through the events stream (it closes on the outcome). */
const outcome = async (projectKey: string, id: string): Promise<Json> => {
  for (let i = 0; i < 20; i++) {
    const events = await fetch(
      `${server.url}/stores/${server.storeHash}/v3/infrastructure/deployments/${id}/events`,
      {
        headers: { 'x-auth-token': server.storeToken },
      },
    );
    if (/"deployment_status":"(completed|failed)"/.test(await events.text())) break;
  }
  return call(`/${projectKey}/deployments/${id}`);
};

const killRun = () => {
  if (server.child.pid) process.kill(-server.child.pid, 'SIGKILL');
  return new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
};

beforeAll(async () => {
  server = await startServer({ dataDir });
  expect((await call('/projects', { key: 'crash' })).httpStatus).toBe(201);
  expect((await call('/projects', { key: 'kept' })).httpStatus).toBe(201);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(defaultWorkspaceDir(dataDir), { recursive: true, force: true });
});

describe('a crash of npm start', () => {
  let before: string;
  let kept: Json;

  it('keeps a deployed deployment to compare with after each crash', async () => {
    kept = await deploy('kept', connector('none'), 'kept');
    expect((await outcome('kept', kept.id)).status).toBe('Deployed');
    before = JSON.stringify(await call(`/kept/deployments/${kept.id}`));
    expect(JSON.parse(before).status).toBe('Deployed');
  });

  it.each([
    ['queued', 'none'],
    ['building', 'build'],
    ['hosting', 'hosting'],
    ['running its postDeploy script', 'script'],
  ] as const)(
    'while %s: the deployment fails at restart, nothing of the killed run survives, a new deployment goes through',
    async (point, stage) => {
      const sfn = server.runtimeEnv();
      if (point === 'queued') await holdExecutions('slipway-deploy', true, sfn);
      const d = await deploy('crash', connector(stage), `crash-${stage}`);
      // The point: what the killed run was doing at that moment, found on its process ledger.
      const doing =
        point === 'queued'
          ? undefined
          : await untilLedger((e) =>
              stage === 'hosting'
                ? e.kind === 'application' && e.deploymentId === d.id
                : e.kind === 'job' && e.what.includes(stage === 'build' ? 'npm run build' : 'setInterval'),
            );
      const started = ledger().filter((e) => e.kind === 'job' || e.deploymentId === d.id);
      if (doing) expect(groupAlive(doing.pgid)).toBe(true);

      await killRun();
      // The crash left them running: the next start must end them.
      if (doing) expect(groupAlive(doing.pgid)).toBe(true);

      const restartedAt = Date.now();
      server = await startServer({ dataDir });
      for (const entry of started) expect(groupAlive(entry.pgid), entry.what).toBe(false);
      // Finished at start-up, before the API answered: no waiting for the reaper's interval.
      const after = await call(`/crash/deployments/${d.id}`);
      expect(after).toMatchObject({
        status: 'Failed',
        details: { build: { report: { entries: [expect.objectContaining({ type: 'Error' })] } } },
      });
      expect(Date.now() - restartedAt).toBeLessThan(60_000);
      // Its half-hosted application did not come back; the kept deployment's did, unchanged.
      const hosting = server.runtimeEnv();
      const hosted = (await (
        await fetch(`${hosting.SLIPWAY_LOCAL_HOSTING_URL}/applications`, {
          headers: { authorization: `Bearer ${hosting.SLIPWAY_LOCAL_HOSTING_TOKEN}` },
        })
      ).json()) as { deploymentId: string }[];
      expect(hosted.map((h) => h.deploymentId)).not.toContain(d.id);
      expect(hosted.map((h) => h.deploymentId)).toContain(kept.id);
      expect(JSON.stringify(await call(`/kept/deployments/${kept.id}`))).toBe(before);
      // The project is free again.
      const next = await deploy('crash', connector('none'), `after-${stage}`);
      expect((await outcome('crash', next.id)).status).toBe('Deployed');
      await call(`/crash/deployments/${next.id}`, undefined, 'DELETE');
    },
    180_000,
  );
});

describe('a graceful stop of npm start', () => {
  it('ends every process it started, the running build included, before it exits', async () => {
    const d = await deploy('crash', connector('build'), 'graceful');
    const build = await untilLedger((e) => e.kind === 'job' && e.what.includes('npm run build'));
    const applications = ledger().filter((e) => e.kind === 'application');
    expect(applications.length).toBeGreaterThan(0);
    await server.stop();
    for (const entry of [build, ...applications]) expect(groupAlive(entry.pgid), entry.what).toBe(false);
    server = await startServer({ dataDir });
    expect((await call(`/crash/deployments/${d.id}`)).status).toBe('Failed');
  }, 120_000);
});
