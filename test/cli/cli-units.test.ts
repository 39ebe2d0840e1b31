import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { unzipSync } from 'fflate';
import { afterAll, describe, expect, it } from 'vitest';
import { profilesPath, readProfiles, saveProfile } from '../../cli/config.ts';
import { apiError, EXIT } from '../../cli/errors.ts';
import { buildProgram } from '../../cli/main.ts';
import { columns, formatBytes, Output } from '../../cli/output.ts';
import { packedFiles, packFolder } from '../../cli/pack.ts';
import { applicationValues, sinceDate } from '../../cli/values.ts';

/** The CLI's pure parts, without a server: arguments, ignore rules, output, errors, profiles. */

const scratch = mkdtempSync(join(tmpdir(), 'slipway-cli-unit-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const folder = (files: Record<string, string>) => {
  const root = mkdtempSync(join(scratch, 'dir-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
};

describe('--app and --secret values', () => {
  it('groups values by application, last value of a key winning', () => {
    const values = applicationValues(
      ['service.GREETING=Hi', 'service.GREETING=Hello=there', 'job.CRON_TZ=UTC'],
      ['service.API_TOKEN=s3cret'],
    );

    expect(values).toEqual([
      {
        applicationName: 'service',
        standardConfiguration: [{ key: 'GREETING', value: 'Hello=there' }],
        securedConfiguration: [{ key: 'API_TOKEN', value: 's3cret' }],
      },
      {
        applicationName: 'job',
        standardConfiguration: [{ key: 'CRON_TZ', value: 'UTC' }],
        securedConfiguration: [],
      },
    ]);
  });

  it('refuses a value without an application, as a usage error that never echoes a secret', () => {
    expect(() => applicationValues(['GREETING=Hi'])).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage }),
    );
    expect(() => applicationValues([], ['API_TOKEN=s3cret'])).toThrow(/API_TOKEN=\*\*\*\*/);
  });
});

describe('--since', () => {
  it('reads durations and dates, and refuses anything else', () => {
    const now = new Date('2026-01-01T12:00:00Z');

    expect(sinceDate('10m', now).toISOString()).toBe('2026-01-01T11:50:00.000Z');
    expect(sinceDate('2d', now).toISOString()).toBe('2025-12-30T12:00:00.000Z');
    expect(sinceDate('2026-01-01T00:00:00Z', now).toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(() => sinceDate('yesterday', now)).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
  });
});

describe('packing a folder', () => {
  it('honours .gitignore and .slipwayignore at any depth, and always leaves out .git and node_modules', () => {
    const root = folder({
      'connect.yaml': 'deployAs: []',
      '.gitignore': 'dist/\n*.log\n',
      '.slipwayignore': 'secrets.env\n',
      'secrets.env': 'X=1',
      'debug.log': '',
      'dist/out.js': '',
      'node_modules/x/index.js': '',
      '.git/HEAD': '',
      'service/index.js': '',
      'service/.gitignore': 'fixtures/\n!keep.log\n',
      'service/fixtures/big.json': '',
      'service/keep.log': '',
    });

    expect(packedFiles(root)).toEqual([
      '.gitignore',
      '.slipwayignore',
      'connect.yaml',
      'service/.gitignore',
      'service/index.js',
      'service/keep.log',
    ]);
  });

  it('zips under a prefix with a SHA-256, and refuses a missing connect.yaml, a link, or a zip over the limit', () => {
    const root = folder({ 'connect.yaml': 'deployAs: []', 'server.js': 'x'.repeat(5000) });
    const linked = folder({ 'connect.yaml': '' });
    symlinkSync('/etc/passwd', join(linked, 'passwd'));

    const packed = packFolder(root, { required: 'connect.yaml', prefix: 'output/' });

    expect(Object.keys(unzipSync(packed.zip)).sort()).toEqual(['output/connect.yaml', 'output/server.js']);
    expect(packed.sha256).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(() => packFolder(folder({ 'a.txt': '' }), { required: 'connect.yaml' })).toThrow(
      expect.objectContaining({ exitCode: EXIT.usage }),
    );
    expect(() => packFolder(linked)).toThrow(/symbolic link/);
    expect(() => packFolder(root, { maxBytes: 10 })).toThrow(/at most 10 B\. Nothing was uploaded/);
  });

  it('refuses a folder over the unpacked limit from its sizes, before reading a file', () => {
    const root = folder({ 'connect.yaml': '', 'big.img': '' });
    // Sparse: 3 GB on paper, nothing on disk; reading it would throw ERR_FS_FILE_TOO_LARGE.
    truncateSync(join(root, 'big.img'), 3 * 1024 ** 3);

    expect(() => packFolder(root)).toThrow(/holds 3\.2 GB to pack; an artifact may unpack to 536\.9 MB/);
  });
});

describe('output', () => {
  const streams = (isTTY: boolean) => {
    const stdout = Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream;
    const stderr = Object.assign(new PassThrough(), { isTTY }) as unknown as NodeJS.WriteStream;
    return { stdout, stderr };
  };

  it('is plain off a terminal, with NO_COLOR, with --no-color or on a dumb terminal; fancy otherwise', () => {
    const fancy = (isTTY: boolean, env: NodeJS.ProcessEnv, color = true) =>
      new Output({ json: false, color, env, ...streams(isTTY) }).fancy;

    expect(fancy(true, {})).toBe(true);
    expect(fancy(false, {})).toBe(false);
    expect(fancy(true, { NO_COLOR: '1' })).toBe(false);
    expect(fancy(true, { TERM: 'dumb' })).toBe(false);
    expect(fancy(true, {}, false)).toBe(false);
  });

  it('aligns columns, and says sizes as people read them', () => {
    expect(
      columns([
        ['service', 'http://x'],
        ['job', '* * * * *'],
      ]),
    ).toEqual(['service  http://x', 'job      * * * * *']);
    expect([formatBytes(999), formatBytes(5397), formatBytes(64 * 1024 * 1024)]).toEqual([
      '999 B',
      '5.4 kB',
      '67.1 MB',
    ]);
  });
});

describe('errors', () => {
  it('map HTTP statuses to exit codes 3 and 4, refused values to 2, others to 1, with the code and a hint', () => {
    const body = (code: string) => ({ message: 'm', errors: [{ code, message: 'm' }] });

    expect(apiError(401, body('AuthenticationError'))).toMatchObject({ exitCode: EXIT.auth, hint: /login/ });
    expect(apiError(403, body('Forbidden')).exitCode).toBe(EXIT.auth);
    expect(apiError(404, body('ResourceNotFound'), 'slipway ls')).toMatchObject({
      exitCode: EXIT.notFound,
      code: 'ResourceNotFound',
      hint: 'slipway ls',
    });
    expect(apiError(409, body('DeploymentInProgress')).message).toBe('m (DeploymentInProgress)');
    expect(apiError(500, 'not json').exitCode).toBe(EXIT.failed);
    expect(apiError(400, body('DeploymentNotCancelable')).exitCode).toBe(EXIT.failed);
    expect(
      apiError(400, {
        message: 'm',
        errors: [{ code: 'InvalidField', message: 'm', detailedErrorMessage: 'revision: no such revision' }],
      }),
    ).toMatchObject({
      exitCode: EXIT.usage,
      message: 'revision: no such revision (InvalidField)',
    });
  });
});

describe('profiles', () => {
  it('are written with mode 0600 in a folder of mode 0700, and the last login becomes current', () => {
    const env = { SLIPWAY_CONFIG_DIR: join(scratch, 'config') };

    saveProfile('default', { url: 'http://a', token: 't1' }, env);
    saveProfile('staging', { url: 'http://b', token: 't2' }, env);

    expect(statSync(profilesPath(env)).mode & 0o777).toBe(0o600);
    expect(statSync(env.SLIPWAY_CONFIG_DIR).mode & 0o777).toBe(0o700);
    expect(readProfiles(env)).toEqual({
      current: 'staging',
      profiles: { default: { url: 'http://a', token: 't1' }, staging: { url: 'http://b', token: 't2' } },
    });
  });
});

describe('--help', () => {
  it('shows examples for every command', () => {
    const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
    const helpOf = (command: Command) => {
      let text = '';
      command.configureOutput({ writeOut: (s) => (text += s) });
      command.outputHelp();
      return text;
    };

    const commands = all(buildProgram()).filter((c) => c.name() !== 'help');

    expect(commands.length).toBeGreaterThan(15);
    for (const command of commands)
      expect(helpOf(command), command.name()).toMatch(/\nExamples:\n {2}\$ .*slipway /);
  });
});
