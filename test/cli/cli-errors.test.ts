import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Deployment } from '../../cli/api/types.ts';
import { bundleRoot } from '../../cli/commands/bc.ts';
import { loginProfileName, mergedProfile } from '../../cli/commands/login.ts';
import { operationError } from '../../cli/commands/operations.ts';
import { saveProfile } from '../../cli/config.ts';
import { serverUrl } from '../../cli/context.ts';
import { apiError, EXIT } from '../../cli/errors.ts';
import { failureHints } from '../../cli/follow.ts';
import { logsError } from '../../cli/logs.ts';
import { main, unexpected } from '../../cli/main.ts';
import { checkValues, declaredConfiguration } from '../../cli/manifest.ts';
import { applicationValues, sinceDate } from '../../cli/values.ts';

/** How the CLI fails, without a server: messages, hints, exit codes, the --json error document. */

const scratch = mkdtempSync(join(tmpdir(), 'slipway-cli-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = async (argv: string[], env: Record<string, string>) => {
  let stdout = '';
  let stderr = '';
  const capture = (write: (text: string) => void) => (chunk: string | Uint8Array) => {
    write(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(
    capture((s) => {
      stdout += s;
    }),
  );
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(
    capture((s) => {
      stderr += s;
    }),
  );
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  try {
    return { code: await main(['node', 'slipway', ...argv]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    vi.unstubAllEnvs();
  }
};
const config = () => ({ SLIPWAY_CONFIG_DIR: mkdtempSync(join(scratch, 'config-')) });

/** Runs `use` against a server that answers every request with `status` and `body`. */
const answering = async <T>(status: number, body: unknown, use: (url: string) => Promise<T>): Promise<T> => {
  const server = createServer((_, res) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
};

describe('failures as a user sees them', () => {
  it('refuses a server address without a scheme as a usage error, with a JSON document under --json', async () => {
    const { code, stdout, stderr } = await run(['--json', 'ls', '-p', 'demo'], {
      ...config(),
      SLIPWAY_URL: '127.0.0.1:3000',
      SLIPWAY_TOKEN: 't',
    });

    expect(code).toBe(EXIT.usage);
    expect(JSON.parse(stdout)).toMatchObject({ error: { exitCode: EXIT.usage, message: /not an http/ } });
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(() => serverUrl('ftp://x', '--url')).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
    expect(serverUrl('http://127.0.0.1:3000/', '--url')).toBe('http://127.0.0.1:3000');
  });

  it('prints a JSON document for a usage error commander finds', async () => {
    const { code, stdout } = await run(['--json', 'status'], config());

    expect(code).toBe(EXIT.usage);
    expect(JSON.parse(stdout)).toMatchObject({ error: { exitCode: EXIT.usage, message: /missing/ } });
  });

  it('tells an unforeseen failure in one line, without the stack', () => {
    const error = unexpected(new RangeError('File size (3221225472) is greater than 2 GiB'));

    expect(error).toMatchObject({ exitCode: EXIT.failed, hint: /SLIPWAY_DEBUG=1/ });
    expect(error.message).toBe('File size (3221225472) is greater than 2 GiB');
  });

  it('names the saved profiles when --profile names none of them', async () => {
    const env = config();
    saveProfile('default', { url: 'http://a', token: 't' }, env);

    const { code, stderr } = await run(['ls', '-p', 'demo', '--profile', 'nosuch'], env);

    expect(code).toBe(EXIT.usage);
    expect(stderr).toMatch(/No profile 'nosuch' \(saved: default\)/);
  });
});

describe('slipway login', () => {
  it('saves under default without --profile, and keeps the saved project and store over a new credential', () => {
    const saved = { url: 'http://a', clientId: 'c', clientSecret: 's', project: 'shop', storeHash: 'h' };

    const merged = mergedProfile(saved, { url: 'http://b', token: 't', project: undefined });

    expect(merged).toEqual({ url: 'http://b', token: 't', project: 'shop', storeHash: 'h' });
    expect(mergedProfile(saved, { url: 'http://a', token: 't', project: 'p2' }).project).toBe('p2');
    expect(loginProfileName(undefined, {})).toBe('default');
    expect(loginProfileName('staging', {})).toBe('staging');
  });
});

describe('--app and --secret against connect.yaml', () => {
  const declared = declaredConfiguration(`deployAs:
  - name: service
    configuration:
      standardConfiguration: [{ key: GREETING }]
      securedConfiguration: [{ key: API_TOKEN }]
  - name: job
`);

  it('accepts the applications and keys the manifest declares', () => {
    expect(() =>
      checkValues(applicationValues(['service.GREETING=Hi'], ['service.API_TOKEN=x']), declared),
    ).not.toThrow();
  });

  it('refuses an unknown application or key before packing, naming what is declared', () => {
    expect(() => checkValues(applicationValues(['nosuch.GREETING=1']), declared)).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringMatching(/'nosuch'.*service, job/),
      }),
    );
    expect(() => checkValues(applicationValues(['service.NOPE=1']), declared)).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage, message: expect.stringMatching(/'NOPE'.*GREETING/) }),
    );
    expect(() => checkValues(applicationValues([], ['service.GREETING=1']), declared)).toThrow(/API_TOKEN/);
  });

  it('hints a rollback after a failed redeploy, not after a failed first deploy', () => {
    const failed = (version: number) => ({ key: 'hello', version }) as Deployment;

    expect(failureHints(failed(1)).join('\n')).not.toMatch(/rollback/);
    expect(failureHints(failed(2)).join('\n')).toMatch(/slipway rollback hello/);
  });
});

describe('an operation refused', () => {
  const refusal = (code: string) =>
    apiError(400, { message: 'm', errors: [{ code, message: 'm' }] }, 'by status');

  it('is a usage error about connect.yaml for an undeclared application or key', () => {
    for (const code of ['DeploymentApplicationDoNotBelong', 'DeploymentUnknownApplicationConfigurationKey'])
      expect(operationError(refusal(code), 'hello')).toMatchObject({
        exitCode: EXIT.usage,
        hint: /connect\.yaml/,
      });
  });

  it('says the deployment is busy for a transition it cannot make now, and keeps other hints', () => {
    expect(operationError(refusal('DeploymentInvalidStatusTransition'), 'hello')).toMatchObject({
      exitCode: EXIT.failed,
      hint: /operation in progress/,
    });
    // A rollback is refused while busy or for a revision that cannot be restored: both are named.
    expect(operationError(refusal('DeploymentRollbackNotAllowed'), 'hello')).toMatchObject({
      exitCode: EXIT.failed,
      hint: /busy.*slipway status hello.*cannot be restored.*slipway revisions hello/,
    });
    expect(operationError(refusal('InvalidField'), 'hello')).toMatchObject({ hint: 'by status' });
  });
});

describe('slipway bc', () => {
  const bundle = (paths: string[]) => {
    const root = mkdtempSync(join(scratch, 'bundle-'));
    for (const path of paths) mkdirSync(join(root, path), { recursive: true });
    return root;
  };

  it('deploys an output/ folder, named or held, and refuses any other folder as a usage error', () => {
    const holder = bundle(['output']);

    expect(bundleRoot(holder)).toBe(join(holder, 'output'));
    expect(bundleRoot(join(holder, 'output'))).toBe(join(holder, 'output'));
    expect(() => bundleRoot(bundle(['service']))).toThrow(
      expect.objectContaining({
        exitCode: EXIT.usage,
        message: expect.stringMatching(/not a Catalyst bundle/),
      }),
    );
  });

  it('hints the store token, not SLIPWAY_TOKEN, when the store refuses it', async () => {
    const { code, stderr } = await answering(401, { title: 'Unauthorized', status: 401 }, (url) =>
      run(['bc', 'projects', 'ls', '--store', 's'], {
        ...config(),
        SLIPWAY_URL: url,
        SLIPWAY_STORE_TOKEN: 'bad',
      }),
    );

    expect(code).toBe(EXIT.auth);
    expect(stderr).toMatch(/SLIPWAY_STORE_TOKEN/);
    expect(stderr).not.toMatch(/set SLIPWAY_TOKEN/);
  });
});

describe('slipway logs', () => {
  it('refuses a --since in the future, locally', () => {
    const now = new Date('2026-01-01T12:00:00Z');

    expect(() => sinceDate('2030-01-01', now)).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage, message: expect.stringMatching(/in the future/) }),
    );
  });

  it('says not found (exit 4) for an --app the deployment does not have, and keeps other errors', () => {
    const refusal = apiError(400, {
      message: 'm',
      errors: [{ code: 'DeploymentApplicationDoesNotExist', message: 'm' }],
    });

    expect(logsError(refusal, 'nosuch')).toMatchObject({ exitCode: EXIT.notFound, hint: /'nosuch'/ });
    expect(logsError(apiError(500, {}), 'x')).toMatchObject({ exitCode: EXIT.failed });
  });
});

describe('answers the server refuses', () => {
  it('tells a token the server rejects as not valid, masked (login)', async () => {
    const { code, stderr } = await answering(401, { error: 'invalid_client' }, (url) =>
      run(['login', '--url', url, '--token', 'garbage-token'], config()),
    );

    expect(code).toBe(EXIT.auth);
    expect(stderr).toMatch(/The token garbag…\(masked\) is not valid at http/);
  });

  it('hints how to list the deployments when logs names none (exit 4)', async () => {
    const notFound = { message: 'm', errors: [{ code: 'ResourceNotFound', message: 'no such deployment' }] };

    const { code, stderr } = await answering(404, notFound, (url) =>
      run(['logs', 'nope', '-p', 'demo'], { ...config(), SLIPWAY_URL: url, SLIPWAY_TOKEN: 't' }),
    );

    expect(code).toBe(EXIT.notFound);
    expect(stderr).toMatch(/slipway ls --project demo/);
  });
});
