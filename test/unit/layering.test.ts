import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { cruise, type IConfiguration, type ICruiseResult } from 'dependency-cruiser';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * The layering rules of `.dependency-cruiser.cjs` (run by `npm run lint`), each shown to fail
 * on a planted violation in a scratch tree laid out like `functions/` and `cli/`, and the real tree clean.
 */
const root = join(import.meta.dirname, '..', '..');
const config = createRequire(import.meta.url)(join(root, '.dependency-cruiser.cjs')) as IConfiguration;

const scratch: string[] = [];
afterEach(() => {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Cruises a scratch tree of `files` (path → source) with the project's rules. */
const violationsOf = async (files: Record<string, string>): Promise<string[]> => {
  const base = mkdtempSync(join(tmpdir(), 'slipway-layers-'));
  scratch.push(base);
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(base, path)), { recursive: true });
    writeFileSync(join(base, path), source);
  }
  return (await violationsIn(base)).map((v) => v.rule);
};

/** The rule violations of the `functions/`, `cli/` and `console/` folders under `base`. */
const violationsIn = async (base: string) => {
  const folders = ['functions', 'cli', 'console'].filter((folder) => existsSync(join(base, folder)));
  const { output } = await cruise(folders, {
    validate: true,
    ruleSet: { forbidden: config.forbidden ?? [] },
    baseDir: base,
    tsPreCompilationDeps: true,
    doNotFollow: { path: 'node_modules' },
  });
  return (output as ICruiseResult).summary.violations.map((v) => ({
    rule: v.rule.name,
    from: v.from,
    to: v.to,
  }));
};

const exporting = 'export const value = 1;\n';

describe('the layering rules', () => {
  it.each([
    [
      'core-is-pure',
      {
        'functions/core/deployments/rules.ts': `import { value } from '../../adapters/dynamodb/client.ts';\nexport const x = value;\n`,
        'functions/adapters/dynamodb/client.ts': exporting,
      },
    ],
    [
      'core-is-pure',
      {
        'functions/core/shared/ids.ts': `import { value } from '../../config.ts';\nexport const x = value;\n`,
        'functions/config.ts': exporting,
      },
    ],
    [
      'adapters-are-driven',
      {
        'functions/adapters/s3/artifacts.ts': `import { value } from '../../http/responses.ts';\nexport const x = value;\n`,
        'functions/http/responses.ts': exporting,
      },
    ],
    [
      'handlers-through-wiring',
      {
        'functions/handlers/projects.ts': `import { value } from '../adapters/dynamodb/projects.ts';\nexport const x = value;\n`,
        'functions/adapters/dynamodb/projects.ts': exporting,
      },
    ],
    [
      'plumbing-not-wired',
      {
        'functions/http/caller.ts': `import { value } from '../wiring/auth.ts';\nexport const x = value;\n`,
        'functions/wiring/auth.ts': exporting,
      },
    ],
    [
      'wiring-is-not-an-entry',
      {
        'functions/wiring/deployments.ts': `import { value } from '../handlers/deployments.ts';\nexport const x = value;\n`,
        'functions/handlers/deployments.ts': exporting,
      },
    ],
    [
      'deployed-code-not-local',
      {
        'functions/builds/jobs.ts': `import { value } from '../local/stack.ts';\nexport const x = value;\n`,
        'functions/local/stack.ts': exporting,
      },
    ],
    [
      'core-no-sdk',
      {
        'functions/core/uploads/uploads.ts': `import { S3Client } from '@aws-sdk/client-s3';\nexport const x = S3Client;\n`,
        'node_modules/@aws-sdk/client-s3/package.json': '{"name":"@aws-sdk/client-s3","main":"index.js"}',
        'node_modules/@aws-sdk/client-s3/index.js': 'exports.S3Client = class {};\n',
      },
    ],
    [
      'cli-is-a-client',
      {
        'cli/commands/deploy.ts': `import { value } from '../../functions/core/shared/ids.ts';\nexport const x = value;\n`,
        'functions/core/shared/ids.ts': exporting,
      },
    ],
    [
      'console-is-a-client',
      {
        'console/src/api/client.ts': `import { value } from '../../../functions/http/routes.ts';\nexport const x = value;\n`,
        'functions/http/routes.ts': exporting,
      },
    ],
    [
      'no-circular',
      {
        'functions/core/uploads/ports.ts': `import { b } from './artifacts.ts';\nexport const a = () => b;\n`,
        'functions/core/uploads/artifacts.ts': `import { a } from './ports.ts';\nexport const b = () => a;\n`,
      },
    ],
  ])('fails with %s on a planted violation', async (rule, files) => {
    expect(await violationsOf(files)).toContain(rule);
  });

  it('lets a core module import an SDK-free library and a handler import its wiring', async () => {
    expect(
      await violationsOf({
        'functions/core/shared/clock.ts': exporting,
        'functions/core/deployments/rules.ts': `import { value } from '../shared/clock.ts';\nexport const x = value;\n`,
        'functions/wiring/projects.ts': `import { value } from '../adapters/dynamodb/projects.ts';\nexport const y = value;\n`,
        'functions/adapters/dynamodb/projects.ts': exporting,
        'functions/handlers/projects.ts': `import { y } from '../wiring/projects.ts';\nexport const z = y;\n`,
      }),
    ).toEqual([]);
  });

  it('keeps every source file of functions/, infra/, cli/ and console/ at 400 lines or fewer (generated types apart)', () => {
    const tooLong = ['functions', 'infra', 'cli', 'console']
      .flatMap((dir) =>
        readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f)),
      )
      .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
      .map((file) => ({ file, lines: readFileSync(join(root, file), 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 400);
    expect(tooLong).toEqual([]);
  });

  it('finds no violation in functions/, cli/ and console/', async () => {
    expect(await violationsIn(root)).toEqual([]);
  });
});
