import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultWorkspaceDir } from '../../functions/local/stack.ts';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { type Server, startServer } from '../fixtures/server.ts';
import { readNaively } from '../fixtures/sse-readers.ts';

/**
 * Ordinary apps deploy as they run anywhere: CommonJS with no package.json, ESM (`.mjs`, and
 * `"type": "module"`), and an app with its own node_modules. The server's data folder sits
 * inside a project of its own (`"type": "module"`, its own node_modules), as `./.slipway` does
 * in a checkout: a tenant's app must resolve its own package.json and modules, never that
 * project's.
 */

let server: Server;
let project: string;

beforeAll(async () => {
  project = mkdtempSync(join(tmpdir(), 'slipway-host-project-'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'host', type: 'module' }));
  mkdirSync(join(project, 'node_modules', 'leaky'), { recursive: true });
  writeFileSync(
    join(project, 'node_modules', 'leaky', 'index.js'),
    'module.exports = "from the host project";',
  );
  server = await startServer({ dataDir: join(project, '.slipway') });
});

afterAll(async () => {
  await server?.stop();
  rmSync(project, { recursive: true, force: true });
  rmSync(defaultWorkspaceDir(join(project, '.slipway')), { recursive: true, force: true });
});

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API under test
const json = (res: Response): Promise<any> => res.json();

const call = (path: string, body?: unknown) =>
  fetch(`${server.url}/stores/${server.storeHash}/v3/infrastructure${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-auth-token': server.storeToken, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** Deploys a Catalyst-style bundle and answers its last event (completed or failed). */
const deploy = async (files: Record<string, string>) => {
  const bundle = zipBytes(
    Object.fromEntries(Object.entries(files).map(([name, source]) => [name, text(source)])),
  );
  const created = await json(await call('/projects', { name: `kinds-${Date.now().toString(36)}` }));
  const { upload_url, upload_uuid } = (await json(await call('/deployments/uploads', {}))).data;
  await fetch(upload_url, { method: 'PUT', headers: { 'content-type': 'application/zip' }, body: bundle });
  const { deployment_uuid } = (
    await json(await call('/deployments', { upload_uuid, project_uuid: created.data.uuid }))
  ).data;
  const stream = await fetch(
    `${server.url}/stores/${server.storeHash}/v3/infrastructure/deployments/${deployment_uuid}/events`,
    { headers: { 'x-auth-token': server.storeToken } },
  );
  return (await readNaively(stream)).at(-1) as {
    deployment_status: string;
    deployment_url: string | null;
    error?: { code: number; message: string };
  };
};

const serve = (body: string) => `res.setHeader('content-type', 'text/plain'); res.end(${body});`;

// Each app listens as most do, on PORT with no host: hosting must keep that on loopback
// (functions/local/hosting/loopback-default.ts), not stop the app for listening everywhere.
describe('apps of every ordinary kind', () => {
  it('serves a CommonJS app that ships no package.json', async () => {
    const end = await deploy({
      'output/server.js': `const http = require('node:http');
        http.createServer((req, res) => { ${serve("'cjs ' + typeof module")} }).listen(process.env.PORT);`,
    });
    expect(end.deployment_status, JSON.stringify(end)).toBe('completed');
    expect(await (await fetch(String(end.deployment_url))).text()).toBe('cjs object');
  });

  it('serves an ESM app started from an .mjs file', async () => {
    const end = await deploy({
      'output/package.json': JSON.stringify({ main: 'server.mjs' }),
      'output/server.mjs': `import http from 'node:http';
        http.createServer((req, res) => { ${serve("'esm ' + import.meta.url.endsWith('server.mjs')")} }).listen(process.env.PORT);`,
    });
    expect(end.deployment_status).toBe('completed');
    expect(await (await fetch(String(end.deployment_url))).text()).toBe('esm true');
  });

  it('serves an app whose package.json says "type": "module"', async () => {
    const end = await deploy({
      'output/package.json': JSON.stringify({ type: 'module', main: 'index.js' }),
      'output/index.js': `import { createServer } from 'node:http';
        createServer((req, res) => { ${serve("'module ' + typeof require")} }).listen(process.env.PORT);`,
    });
    expect(end.deployment_status).toBe('completed');
    expect(await (await fetch(String(end.deployment_url))).text()).toBe('module undefined');
  });

  it('serves an app with its own dependencies in its node_modules', async () => {
    const end = await deploy({
      'output/server.js': `const greet = require('greeter');
        require('node:http').createServer((req, res) => { ${serve("greet('deps')")} }).listen(process.env.PORT);`,
      'output/node_modules/greeter/package.json': JSON.stringify({ name: 'greeter', main: 'lib.js' }),
      'output/node_modules/greeter/lib.js': `module.exports = (who) => 'hello ' + who;`,
    });
    expect(end.deployment_status).toBe('completed');
    expect(await (await fetch(String(end.deployment_url))).text()).toBe('hello deps');
  });

  it("does not resolve modules from the server's own project", async () => {
    const end = await deploy({
      'output/server.js': `const leaky = require('leaky');
        require('node:http').createServer((req, res) => res.end(leaky)).listen(process.env.PORT);`,
    });
    expect(end.deployment_status).toBe('failed');
    expect(end.error).toEqual({ code: 50, message: expect.stringContaining("Cannot find module 'leaky'") });
    expect(end.error?.message).not.toContain(project);
  });
});
