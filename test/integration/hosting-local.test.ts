import { randomBytes } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { localHosting } from '../../functions/adapters/hosting/local-hosting.ts';
import { processRunner } from '../../functions/adapters/runtime/process-runner.ts';
import { ApplicationHostingFailed } from '../../functions/core/hosting/errors.ts';
import type { ApplicationHosting, HostingRequest } from '../../functions/core/hosting/ports.ts';
import { createGateway, listen } from '../../functions/local/gateway.ts';
import { type HostingOutput, LocalHosting } from '../../functions/local/hosting/index.ts';
import type { JsonBody } from '../helpers.ts';

/**
 * An HTTP app with no dependencies: answers every GET with what it saw (its environment, the
 * paths requested, the last pushed message, the job runs), records POSTs to /event and /job,
 * and prints its secret at start, for the redaction test.
 */
const APP_SOURCE = `
const http = require('node:http');
const seen = [];
let lastMessage = null;
let jobRuns = 0;
console.log('starting with secret ' + process.env.API_SECRET);
console.error('stderr also says ' + process.env.API_SECRET);
http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    seen.push(req.method + ' ' + req.url);
    if (req.method === 'POST' && req.url === '/event') {
      lastMessage = JSON.parse(body);
      res.writeHead(204);
      return res.end();
    }
    if (req.method === 'POST' && req.url === '/job') {
      jobRuns++;
      return res.end('ok');
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({
      pid: process.pid,
      env: {
        PORT: process.env.PORT,
        GREETING: process.env.GREETING,
        LEAK: process.env.SLIPWAY_HOSTING_TEST_LEAK,
        HOME: process.env.HOME,
        PATH: process.env.PATH,
      },
      seen,
      lastMessage,
      jobRuns,
    }));
  });
}).listen(Number(process.env.PORT), '127.0.0.1');
`;

const SECRET = `s3cr3t-${randomBytes(6).toString('hex')}`;

let root: string;
let hosting: LocalHosting;
let client: ApplicationHosting;
let baseUrl: string;
let token: string;
let secretsKey: string;
let outputs: HostingOutput[];
let outputWaiters: { predicate: (o: HostingOutput) => boolean; resolve: (o: HostingOutput) => void }[];

const onOutput = (output: HostingOutput) => {
  outputs.push(output);
  for (const waiter of [...outputWaiters])
    if (waiter.predicate(output)) {
      outputWaiters.splice(outputWaiters.indexOf(waiter), 1);
      waiter.resolve(output);
    }
};

/** The first output line (already seen or still to come) that matches. */
const outputMatching = (predicate: (o: HostingOutput) => boolean): Promise<HostingOutput> => {
  const seen = outputs.find(predicate);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve) => outputWaiters.push({ predicate, resolve }));
};

const newHosting = (options: { startTimeoutMs?: number } = {}) =>
  new LocalHosting({
    dataDir: join(root, 'data'),
    workspaceRoot: join(root, 'work'),
    secretsKey,
    token,
    onOutput,
    ...options,
  });

/** Writes an app into its build directory; `npmStart` gives it a package.json `start` script. */
const writeApp = (
  deploymentId: string,
  buildId: string,
  applicationName: string,
  options: { source?: string; npmStart?: boolean } = {},
): string => {
  const dir = join(root, 'work', deploymentId, buildId, applicationName);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'server.js'), options.source ?? APP_SOURCE);
  if (options.npmStart)
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: applicationName, private: true, scripts: { start: 'node server.js' } }),
    );
  return dir;
};

const requestFor = (overrides: Partial<HostingRequest> & { bundle: string }): HostingRequest => ({
  projectId: 'project-1',
  deploymentId: 'dep-1',
  buildId: 'build-1',
  applicationName: 'service',
  applicationType: 'service',
  endpoint: '/service',
  environment: { GREETING: 'hello', API_SECRET: SECRET },
  secretValues: [SECRET],
  ...overrides,
});

const appState = async (url: string): Promise<JsonBody> => (await fetch(url)).json();

/** A GET with the path sent byte for byte (fetch would normalise `..` away). */
const rawGet = (
  base: string,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = request({ hostname, port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });

const api = (path: string, init: { method?: string; body?: unknown; token?: string | null } = {}) => {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const bearer = init.token === undefined ? token : init.token;
  if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
  return fetch(`${baseUrl}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
};

beforeEach(async () => {
  root = mkdtempSync(join(tmpdir(), 'slipway-hosting-'));
  token = randomBytes(16).toString('hex');
  secretsKey = randomBytes(32).toString('base64');
  outputs = [];
  outputWaiters = [];
  process.env.SLIPWAY_HOSTING_TEST_LEAK = 'must not reach the app';
  hosting = newHosting();
  baseUrl = await hosting.listen();
  client = localHosting(baseUrl, token);
});

afterEach(async () => {
  await hosting.close();
  delete process.env.SLIPWAY_HOSTING_TEST_LEAK;
  rmSync(root, { recursive: true, force: true });
});

describe('service applications', () => {
  it('answers on its url with its environment and PORT, and nothing else of this process', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service');

    const result = await client.host(requestFor({ bundle }));

    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/service$/);
    const state = await appState(result.url as string);
    const port = new URL(result.url as string).port;
    expect(state.env).toMatchObject({ PORT: port, GREETING: 'hello', HOME: process.env.HOME });
    expect(state.env.PATH).toBe(process.env.PATH);
    expect(state.env.LEAK).toBeUndefined();
  });

  it('starts with `npm start` when package.json has a start script', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service', { npmStart: true });

    const result = await client.host(requestFor({ bundle, endpoint: '/' }));

    expect(result.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((await appState(result.url as string)).env.GREETING).toBe('hello');
  });

  it('waits on healthCheckPath rather than the endpoint', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service');

    const result = await client.host(requestFor({ bundle, healthCheckPath: 'healthz' }));

    // The readiness probe, then this test's own request.
    expect((await appState(result.url as string)).seen).toEqual(['GET /healthz', 'GET /service']);
  });

  it('fails with the exit code and last output of an app that exits at start', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service', {
      source: `console.error('cannot connect to the database'); process.exit(3);`,
    });

    const error = await client.host(requestFor({ bundle })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApplicationHostingFailed);
    expect((error as Error).message).toMatch(
      /^Hosting application 'service' failed: the process exited with code 3/,
    );
    expect((error as Error).message).toContain('cannot connect to the database');
  });

  it('fails when the bundle has no entry point', async () => {
    const bundle = join(root, 'work', 'dep-1', 'build-1', 'empty');
    mkdirSync(bundle, { recursive: true });

    await expect(client.host(requestFor({ bundle }))).rejects.toThrow(/no entry point/);
  });

  it('redacts secret values from every output line', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service');

    await client.host(requestFor({ bundle }));

    const stdout = await outputMatching((o) => o.line.startsWith('starting with secret'));
    const stderr = await outputMatching((o) => o.line.startsWith('stderr also says'));
    expect(stdout).toMatchObject({
      deploymentId: 'dep-1',
      applicationName: 'service',
      stream: 'stdout',
      line: 'starting with secret ****',
    });
    expect(stderr).toMatchObject({ stream: 'stderr', line: 'stderr also says ****' });
    expect(outputs.some((o) => o.line.includes(SECRET))).toBe(false);
  });

  it('is idempotent: hosting the same build application again answers the same, with one process', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'service');
    const request = requestFor({ bundle });

    const [first, concurrent] = await Promise.all([client.host(request), client.host(request)]);
    const again = await client.host(request);

    expect(concurrent).toEqual(first);
    expect(again).toEqual(first);
    const listed: JsonBody = await (await api('/applications')).json();
    expect(listed).toHaveLength(1);
    expect(listed[0]).not.toHaveProperty('environment');
    const state = await appState(first.url as string);
    expect(state.pid).toBe(listed[0].pid);
    // One readiness probe, then this test's own request.
    expect(state.seen).toEqual(['GET /service', 'GET /service']);
  });
});

describe('event applications', () => {
  it('receive published messages in Pub/Sub push format', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'events', { npmStart: true });

    const result = await client.host(
      requestFor({ bundle, applicationName: 'events', applicationType: 'event', endpoint: '/event' }),
    );
    const response = await api(`/topics/${result.topic}/messages`, {
      body: { data: { resource: { typeId: 'order', id: 'o-1' } }, attributes: { kind: 'test' } },
    });

    expect(result).toEqual({ topic: 'slipway-dep-1-events' });
    expect(response.status).toBe(200);
    const published: JsonBody = await response.json();
    expect(published).toMatchObject({ delivered: true, status: 204 });
    const { lastMessage } = await appState(`http://127.0.0.1:${portOf(hosting, 'events')}/`);
    expect(lastMessage).toMatchObject({
      subscription: 'slipway-dep-1-events',
      message: { messageId: published.messageId, attributes: { kind: 'test' } },
    });
    expect(JSON.parse(Buffer.from(lastMessage.message.data, 'base64').toString('utf8'))).toEqual({
      resource: { typeId: 'order', id: 'o-1' },
    });
  });

  it('deliver to the newest build only while a redeploy overlaps', async () => {
    const event = { applicationName: 'events', applicationType: 'event' as const, endpoint: '/event' };
    await client.host(requestFor({ ...event, bundle: writeApp('dep-1', 'build-1', 'events') }));
    await client.host(
      requestFor({ ...event, buildId: 'build-2', bundle: writeApp('dep-1', 'build-2', 'events') }),
    );

    const published: JsonBody = await (
      await api('/topics/slipway-dep-1-events/messages', { body: { data: 'hello' } })
    ).json();

    expect(published.delivered).toBe(true);
    const [oldBuild, newBuild] = hosting.list();
    expect((await appState(`http://127.0.0.1:${oldBuild?.port}/`)).lastMessage).toBeNull();
    expect((await appState(`http://127.0.0.1:${newBuild?.port}/`)).lastMessage.message.messageId).toBe(
      published.messageId,
    );
  });

  it('answers 404 for an unknown topic', async () => {
    const response = await api('/topics/slipway-nope-none/messages', { body: { data: {} } });

    expect(response.status).toBe(404);
  });
});

describe('job applications', () => {
  it('are called on their cron schedule', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'job');

    const result = await client.host(
      requestFor({
        bundle,
        applicationName: 'job',
        applicationType: 'job',
        endpoint: 'job',
        schedule: '*/1 * * * * *',
      }),
    );
    const run = await outputMatching(
      (o) => o.applicationName === 'job' && /job run at .* answered 200/.test(o.line),
    );

    expect(result).toEqual({ schedule: '*/1 * * * * *' });
    expect(run.stream).toBe('stdout');
    expect((await appState(`http://127.0.0.1:${portOf(hosting, 'job')}/`)).jobRuns).toBeGreaterThanOrEqual(1);
  });

  it('fail without a valid schedule, naming it', async () => {
    const bundle = writeApp('dep-1', 'build-1', 'job');
    const job = { bundle, applicationName: 'job', applicationType: 'job' as const };

    await expect(client.host(requestFor({ ...job, schedule: 'every minute' }))).rejects.toThrow(
      /invalid schedule 'every minute'/,
    );
    await expect(client.host(requestFor(job))).rejects.toThrow(/needs a schedule/);
  });
});

describe('assets applications', () => {
  let gateway: Server;
  let gatewayUrl: string;

  beforeEach(async () => {
    gateway = createGateway({
      maxBodyBytes: 1024,
      invoke: async () => ({ statusCode: 404, body: JSON.stringify({ message: 'no route' }) }),
      hosted: (req, res) => hosting.serveAsset(req, res),
    });
    gatewayUrl = `http://127.0.0.1:${await listen(gateway, 0)}`;
    hosting.setPublicUrl(gatewayUrl);
  });
  afterEach(() => {
    gateway.close();
    gateway.closeAllConnections();
  });

  const hostAssets = async () => {
    const bundle = join(root, 'work', 'dep-1', 'build-1', 'assets');
    mkdirSync(join(bundle, 'js'), { recursive: true });
    writeFileSync(join(bundle, 'index.html'), '<h1>shop</h1>');
    writeFileSync(join(bundle, 'js', 'app.js'), 'console.log(1)');
    writeFileSync(join(root, 'work', 'dep-1', 'secret.txt'), 'outside');
    symlinkSync(join(root, 'work', 'dep-1', 'secret.txt'), join(bundle, 'link.txt'));
    return client.host(
      requestFor({ bundle, applicationName: 'assets', applicationType: 'assets', endpoint: undefined }),
    );
  };

  it('are served read-only by the gateway with their content type', async () => {
    const result = await hostAssets();

    expect(result).toEqual({ url: `${gatewayUrl}/assets/dep-1/assets/` });
    const index = await fetch(result.url as string);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toBe('<h1>shop</h1>');
    const script = await fetch(`${result.url}js/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await script.text()).toBe('console.log(1)');
    expect((await fetch(`${result.url}js/app.js`, { method: 'HEAD' })).status).toBe(200);
    expect((await fetch(`${result.url}js/app.js`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${result.url}missing.css`)).status).toBe(404);
  });

  it('refuse paths that leave the bundle', async () => {
    await hostAssets();

    for (const path of [
      '/assets/dep-1/assets/../../secret.txt',
      '/assets/dep-1/assets/%2e%2e/secret.txt',
      '/assets/dep-1/assets/%2E%2E%2Fsecret.txt',
      '/assets/dep-1/assets/js/..%2f..%2fsecret.txt',
      '/assets/dep-1/assets/link.txt',
    ]) {
      const response = await rawGet(gatewayUrl, path);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(response.body).not.toContain('outside');
    }
  });

  it('leave other paths to the gateway routes', async () => {
    await hostAssets();

    const response = await rawGet(gatewayUrl, '/assets/dep-unknown/assets/index.html');

    expect(response.status).toBe(404);
    expect(response.body).toContain('no route');
  });
});

describe('stop', () => {
  const answers = (url: string) =>
    fetch(url).then(
      () => true,
      () => false,
    );

  it('stops all builds but the kept one, then the kept one, removing their directories', async () => {
    const first = await client.host(requestFor({ bundle: writeApp('dep-1', 'build-1', 'service') }));
    const second = await client.host(
      requestFor({ buildId: 'build-2', bundle: writeApp('dep-1', 'build-2', 'service') }),
    );
    const other = await client.host(
      requestFor({ deploymentId: 'dep-2', bundle: writeApp('dep-2', 'build-1', 'service') }),
    );
    mkdirSync(join(root, 'work', 'dep-1', 'build-failed', 'service'), { recursive: true });

    await client.stop({ deploymentId: 'dep-1', exceptBuildId: 'build-2' });

    expect(await answers(first.url as string)).toBe(false);
    expect(await answers(second.url as string)).toBe(true);
    expect(await answers(other.url as string)).toBe(true);
    expect(existsSync(join(root, 'work', 'dep-1', 'build-1'))).toBe(false);
    expect(existsSync(join(root, 'work', 'dep-1', 'build-failed'))).toBe(false);
    expect(existsSync(join(root, 'work', 'dep-1', 'build-2'))).toBe(true);

    await client.stop({ deploymentId: 'dep-1', buildId: 'build-2' });

    expect(await answers(second.url as string)).toBe(false);
    expect(existsSync(join(root, 'work', 'dep-1', 'build-2'))).toBe(false);
    expect(await answers(other.url as string)).toBe(true);
    expect(hosting.list().map((a) => a.deploymentId)).toEqual(['dep-2']);
  });

  it('removes the workspace of a build that hosted nothing, and the whole deployment without a build', async () => {
    mkdirSync(join(root, 'work', 'dep-3', 'build-9', 'service'), { recursive: true });

    await client.stop({ deploymentId: 'dep-3', buildId: 'build-9' });
    expect(existsSync(join(root, 'work', 'dep-3', 'build-9'))).toBe(false);
    expect(existsSync(join(root, 'work', 'dep-3'))).toBe(true);

    await client.stop({ deploymentId: 'dep-3' });
    expect(existsSync(join(root, 'work', 'dep-3'))).toBe(false);

    await client.stop({ deploymentId: 'dep-never' });
  });

  it('refuses ids that would leave the workspace', async () => {
    const response = await api('/applications/stop', { body: { deploymentId: '..' } });

    expect(response.status).toBe(400);
  });
});

describe('restart of npm start', () => {
  it('restores a service on its port after close, with its environment sealed at rest', async () => {
    const request = requestFor({ bundle: writeApp('dep-1', 'build-1', 'service') });
    const before = await client.host(request);

    await hosting.close();
    const registryFile = join(root, 'data', 'hosting', 'registry.json');
    const registry = readFileSync(registryFile, 'utf8');
    expect(registry).not.toContain(SECRET);
    expect(registry).not.toContain('hello');
    expect(statSync(registryFile).mode & 0o777).toBe(0o600);
    await expect(fetch(before.url as string)).rejects.toThrow();

    hosting = newHosting();
    baseUrl = await hosting.listen();
    await hosting.restore();

    const state = await appState(before.url as string);
    expect(state.env.GREETING).toBe('hello');
    expect(await localHosting(baseUrl, token).host(request)).toEqual(before);
  });
  it('kills the processes a run that died without close left behind, and takes their port', async () => {
    const request = requestFor({ bundle: writeApp('dep-1', 'build-1', 'service') });
    const before = await client.host(request);
    const stalePid = (await appState(before.url as string)).pid;

    // The previous instance is never closed: as if `npm start` had been killed with SIGKILL.
    const crashed = hosting;
    hosting = newHosting();
    baseUrl = await hosting.listen();
    await hosting.restore();

    const state = await appState(before.url as string);
    expect(state.pid).not.toBe(stalePid);
    expect(hosting.list()[0]?.pid).toBe(state.pid);
    await crashed.close();
  });

  it('moves a restored application to a new port when its own is taken, with a warning', async () => {
    const before = await client.host(requestFor({ bundle: writeApp('dep-1', 'build-1', 'service') }));
    await hosting.close();
    const squatter = createServer((_req, res) => res.end('squatter'));
    await listen(squatter, Number(new URL(before.url as string).port));

    try {
      hosting = newHosting();
      baseUrl = await hosting.listen();
      await hosting.restore();

      const after = hosting.list()[0];
      expect(after?.result.url).not.toBe(before.url);
      expect((await appState(after?.result.url as string)).env.GREETING).toBe('hello');
      expect(outputs.some((o) => o.stream === 'stderr' && /port \d+ is taken/.test(o.line))).toBe(true);
    } finally {
      squatter.close();
    }
  });
});

describe('HTTP API', () => {
  it('answers 401 without the token or with another one', async () => {
    expect((await api('/applications', { token: null })).status).toBe(401);
    expect((await api('/applications', { token: 'not-the-token' })).status).toBe(401);
    expect((await api('/applications/stop', { body: { deploymentId: 'd' }, token: null })).status).toBe(401);
  });

  it('answers 400 to a malformed hosting request', async () => {
    const response = await api('/applications', { body: { deploymentId: 'dep-1' } });

    expect(response.status).toBe(400);
    const body: JsonBody = await response.json();
    expect(body.message).toMatch(/applicationName/);
  });
});

describe('processRunner', () => {
  const run = (
    command: string,
    options: { timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
  ) => {
    const lines: { line: string; stream: string }[] = [];
    const done = processRunner.run({
      command,
      cwd: options.cwd ?? root,
      env: options.env ?? {},
      timeoutMs: options.timeoutMs ?? 10_000,
      onLine: (line, stream) => lines.push({ line, stream }),
    });
    return { lines, done };
  };

  /** Running, as opposed to gone or a zombie waiting for PID 1 to reap it. */
  const running = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
    } catch {
      return false;
    }
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
    } catch {
      return !existsSync('/proc/self');
    }
  };

  it('resolves the exit code and hands over lines of both streams, the last partial one included', async () => {
    const { lines, done } = run(
      'echo one; echo two >&2; echo "$GIVEN-$SLIPWAY_HOSTING_TEST_LEAK"; printf partial; exit 3',
      {
        env: { GIVEN: 'given' },
      },
    );

    expect(await done).toEqual({ exitCode: 3, timedOut: false });
    expect(lines).toEqual(
      expect.arrayContaining([
        { line: 'one', stream: 'stdout' },
        { line: 'two', stream: 'stderr' },
        { line: 'given-', stream: 'stdout' },
        { line: 'partial', stream: 'stdout' },
      ]),
    );
    expect(lines).toHaveLength(4);
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const { lines, done } = run('sleep 30 & echo $!; sleep 30', { timeoutMs: 300 });

    expect(await done).toEqual({ exitCode: null, timedOut: true });
    const grandchild = Number(lines[0]?.line);
    expect(grandchild).toBeGreaterThan(0);
    // The pipes close while the killed grandchild is still exiting (a process closes its files
    // before it becomes a zombie), so on a busy machine it may be seen for a moment longer.
    await vi.waitFor(() => expect(running(grandchild)).toBe(false), { timeout: 3_000, interval: 20 });
  });

  it('resolves 127 with the reason when the directory does not exist', async () => {
    const { lines, done } = run('true', { cwd: join(root, 'missing') });

    expect(await done).toEqual({ exitCode: 127, timedOut: false });
    expect(lines[0]?.line).toMatch(/does not exist/);
  });
});

const portOf = (hosting: LocalHosting, applicationName: string): number | undefined =>
  hosting.list().find((a) => a.applicationName === applicationName)?.port;
