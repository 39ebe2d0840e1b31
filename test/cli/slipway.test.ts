import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import xterm from '@xterm/headless';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fixtures/server.ts';
import {
  api,
  createClient,
  createStoreAccessToken,
  gatewayUrl,
  newTenant,
  tokenFor,
  uniqueKey,
} from '../helpers.ts';

/**
 * `slipway` end to end: the command a user runs (package.json's bin), as a child process,
 * against the run's embedded stack. The tests run at once, each in a project of its own (a
 * project runs one operation at a time); one deployment serves the main flow's assertions.
 */

const BIN = join(ROOT, 'cli', 'slipway.js');
const ESCAPE = '\x1b';
const SECRET = `cli-secret-${randomBytes(6).toString('hex')}`;

const tenant = newTenant();
const configDir = mkdtempSync(join(tmpdir(), 'slipway-cli-config-'));
let token: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment a CI job would give the CLI: no colour settings, no profile. */
const baseEnv = (extra: Record<string, string | undefined>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SLIPWAY_URL: gatewayUrl(),
    SLIPWAY_TOKEN: token,
    SLIPWAY_CONFIG_DIR: configDir,
    ...extra,
  };
  for (const name of ['NO_COLOR', 'FORCE_COLOR', 'SLIPWAY_PROJECT', 'SLIPWAY_PROFILE'])
    if (!(name in extra)) delete env[name];
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete env[name];
  return env;
};

const collect = (command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Run> =>
  new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** `slipway …` with stdout and stderr piped (not a terminal). */
const slipway = (args: string[], env: Record<string, string | undefined> = {}) =>
  collect(process.execPath, [BIN, ...args], baseEnv(env));

const quote = (arg: string) => `'${arg.replaceAll("'", `'\\''`)}'`;

/**
 * `slipway …` under a pseudo-terminal (util-linux `script`), its output rendered by a headless
 * xterm as a person would see it: the screen's lines, after every redraw.
 */
const slipwayOnTerminal = async (args: string[], env: Record<string, string | undefined> = {}) => {
  const command = `stty cols 120 rows 80; exec ${[process.execPath, BIN, ...args].map(quote).join(' ')}`;
  const run = await collect(
    'script',
    ['-qfec', command, '/dev/null'],
    baseEnv({ TERM: 'xterm-256color', ...env }),
  );
  const terminal = new xterm.Terminal({ cols: 120, rows: 80, allowProposedApi: true });
  await new Promise<void>((resolve) => terminal.write(run.stdout, resolve));
  const buffer = terminal.buffer.active;
  const screen = Array.from(
    { length: buffer.length },
    (_, i) => buffer.getLine(i)?.translateToString(true) ?? '',
  );
  return { ...run, screen: screen.join('\n') };
};

const newProject = async () => {
  const key = uniqueKey('cli');
  expect((await api('/projects', { token, body: { key } })).status).toBe(201);
  return key;
};

const serviceUrl = (stdout: string) => /^service\s+(http\S+)$/m.exec(stdout)?.[1] ?? '';

const everyOutput: string[] = [];
const remember = (run: Run) => {
  everyOutput.push(run.stdout, run.stderr);
  return run;
};

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
});

afterAll(() => {
  rmSync(configDir, { recursive: true, force: true });
  // Secured values are write-only: no output of any command shows one.
  expect(everyOutput.join('\n')).not.toContain(SECRET);
});

describe.concurrent('slipway', () => {
  it('deploys a folder and prints its addresses, deploys it again with a new value, rolls back, and reads it as the API does', async () => {
    const project = await newProject();
    const env = { SLIPWAY_PROJECT: project };

    const first = remember(
      await slipway(
        [
          'deploy',
          'examples/connector',
          '--key',
          'greeter',
          '--app',
          'service.GREETING=Hi',
          '--secret',
          `service.API_TOKEN=${SECRET}`,
        ],
        env,
      ),
    );
    const url = serviceUrl(first.stdout);
    const greeting = async () => ((await (await fetch(url)).json()) as { greeting: string }).greeting;

    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/^event\s+slipway-\S+-event$/m);
    expect(first.stdout).toMatch(/^job\s+\* \* \* \* \*$/m);
    expect(first.stderr).toMatch(/^● Packed \d+ files from examples\/connector/m);
    expect(first.stderr).toMatch(/^● Uploading \d/m);
    expect(first.stderr).toMatch(/^● Queued/m);
    expect(first.stderr).toMatch(/^● Deploying/m);
    expect(first.stderr).toMatch(/^● Deployed greeter in/m);
    expect(first.stdout + first.stderr).not.toContain(ESCAPE);
    expect(await greeting()).toBe('Hi');

    // The same key again: a redeploy built from the new upload, at the same address.
    const second = remember(
      await slipway(
        ['deploy', 'examples/connector', '--key', 'greeter', '--app', 'service.GREETING=Bonjour', '--json'],
        env,
      ),
    );
    const printed = JSON.parse(second.stdout);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/^● Redeploying greeter from the new upload/m);
    expect(printed).toMatchObject({ key: 'greeter', status: 'Deployed', version: expect.any(Number) });
    expect(printed.applications[0].url).toBe(url);
    expect(await greeting()).toBe('Bonjour');

    const rollback = remember(await slipway(['rollback', 'greeter'], env));
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.stderr).toMatch(/^● Rolling greeter back to revision 1/m);
    expect(await greeting()).toBe('Hi');

    const [status, revisions, logs] = await Promise.all([
      slipway(['status', 'greeter', '--json'], env),
      slipway(['revisions', 'greeter', '--json'], env),
      slipway(['logs', 'greeter', '--since', '10m'], env),
    ]);
    const fromApi = await (await api(`/${project}/deployments/key=greeter`, { token })).json();
    const revisionsFromApi = await (
      await api(`/${project}/deployments/key=greeter/revisions`, { token })
    ).json();
    expect(JSON.parse(String(status?.stdout))).toEqual(fromApi);
    expect(JSON.parse(String(revisions?.stdout))).toEqual(revisionsFromApi.results);
    expect(revisionsFromApi.results.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
    expect(logs?.stdout).toContain('postDeploy: the service is live at');

    const deleted = remember(await slipway(['delete', 'greeter', '--yes'], env));
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stderr).toMatch(/^● Deleted greeter$/m);
    expect((await api(`/${project}/deployments/key=greeter`, { token })).status).toBe(404);
  }, 60_000);

  it('on a terminal, draws the upload bar and a line per step; a failing folder exits 1 with its error entry', async () => {
    const project = await newProject();

    const run = await slipwayOnTerminal(['deploy', 'examples/failing', '--key', 'failing'], {
      SLIPWAY_PROJECT: project,
    });

    expect(run.code, run.screen).toBe(1);
    expect(run.stdout).toContain(`${ESCAPE}[`);
    expect(run.screen).toMatch(/^Uploading █+ 100% \| [\d.]+ kB of [\d.]+ kB$/m);
    expect(run.screen).toMatch(/^● Queued/m);
    expect(run.screen).toMatch(/^● Deploying/m);
    expect(run.screen).toMatch(/^● failing is Failed$/m);
    expect(run.screen).toMatch(/Error: Failed during the \w+ step \(ApplicationBuildFailed\) \[service\]/);
    expect(run.screen).toContain('Error: the build needs src/index.ts');
  }, 60_000);

  it('deploys a storefront bundle through the BigCommerce dialect and prints its address', async () => {
    const store = await createStoreAccessToken(tenant, [
      'store_infrastructure_projects_manage',
      'store_infrastructure_deployments_manage',
    ]);
    const env = { SLIPWAY_STORE_TOKEN: store.token, SLIPWAY_TOKEN: undefined };
    const created = remember(
      await slipway(['bc', 'projects', 'create', uniqueKey('shop'), '--store', tenant], env),
    );
    const projectUuid = created.stdout.trim();

    const run = remember(
      await slipway(
        [
          'bc',
          'deploy',
          'examples/storefront/output',
          '--store',
          tenant,
          '--project',
          projectUuid,
          '--env',
          'GREETING=Welcome',
        ],
        env,
      ),
    );
    const url = /^url\s+(\S+)$/m.exec(run.stdout)?.[1] ?? '';

    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^● initializing \(5%\)$/m);
    expect(run.stderr).toMatch(/^● complete \(100%\)$/m);
    expect(run.stdout).toMatch(/^hostname\s+\S+$/m);
    expect(await (await fetch(url)).text()).toContain('Welcome');
  }, 60_000);

  it('logs in with client credentials to a 0600 profile, which later commands use without SLIPWAY_TOKEN', async () => {
    const project = await newProject();
    const { client, secret } = await createClient(tenant, ['admin']);
    const env = {
      SLIPWAY_TOKEN: undefined,
      SLIPWAY_URL: undefined,
      SLIPWAY_CONFIG_DIR: join(configDir, 'login'),
    };

    const login = await slipway(
      [
        'login',
        '--url',
        gatewayUrl(),
        '--client-id',
        client.clientId,
        '--client-secret',
        secret,
        '--project',
        project,
      ],
      env,
    );
    const path = join(configDir, 'login', 'profiles.json');
    const projects = await slipway(['projects', 'ls', '--json'], env);

    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(
      `Logged in to ${gatewayUrl()} as client ${client.clientId} (scopes: admin)`,
    );
    expect(login.stdout + login.stderr).not.toContain(secret);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8')).profiles.default).toMatchObject({
      project,
      clientId: client.clientId,
    });
    expect(projects.code, projects.stderr).toBe(0);
    expect(JSON.parse(projects.stdout).map((p: { key: string }) => p.key)).toContain(project);
  });

  it('returns at once with --no-wait, and cancels the deployment in progress', async () => {
    const project = await newProject();
    const env = { SLIPWAY_PROJECT: project };

    const queued = await slipway(
      ['deploy', 'examples/connector', '--key', 'brief', '--no-wait', '--json'],
      env,
    );
    const canceled = await slipway(['cancel', 'brief', '--json'], env);

    expect(queued.code, queued.stderr).toBe(0);
    expect(JSON.parse(queued.stdout)).toMatchObject({ key: 'brief', status: 'Queued' });
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(JSON.parse(canceled.stdout)).toMatchObject({
      status: 'Failed',
      details: { build: { report: { entries: [expect.objectContaining({ title: 'Canceled' })] } } },
    });
  });

  it('publishes a connector version from a folder', async () => {
    const project = await newProject();
    const key = uniqueKey('conn');

    const published = await slipway(
      ['connectors', 'publish', 'examples/connector', '--key', key, '--email', 'dev@example.com', '--json'],
      { SLIPWAY_PROJECT: project },
    );

    expect(published.code, published.stderr).toBe(0);
    expect(JSON.parse(published.stdout)).toMatchObject({ key, version: 1 });
  });

  it('exits 2 on usage errors, 3 on a bad token, 4 when what it names does not exist; errors say what to do', async () => {
    const project = await newProject();
    const env = { SLIPWAY_PROJECT: project };

    const [noKey, notOnTerminal, badToken, missing, version] = await Promise.all([
      slipway(['deploy', 'examples/connector'], env),
      slipway(['delete', 'greeter'], env),
      slipway(['ls'], { ...env, SLIPWAY_TOKEN: 'not-a-token' }),
      slipway(['status', 'nope'], env),
      slipway(['--version']),
    ]);

    expect(noKey).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("required option '-k, --key <key>'"),
    });
    expect(notOnTerminal).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('slipway delete greeter --yes'),
    });
    expect(badToken).toMatchObject({ code: 3, stderr: expect.stringContaining('slipway login') });
    expect(missing).toMatchObject({
      code: 4,
      stderr: expect.stringContaining(`slipway ls --project ${project}`),
    });
    expect(version).toMatchObject({
      code: 0,
      stdout: `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`,
    });
  });
});
