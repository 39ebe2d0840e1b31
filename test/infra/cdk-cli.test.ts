import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The CDK CLI as `npm run synth` and `npm run cdk:diff` run it: a real synth (with bundling)
 * into a temporary cloud assembly, then `cdk diff --template` against the committed baseline.
 * Every proxy variable points at a closed loopback port, so a call out would fail the run.
 */
const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'slipway-cdk-'));
const out = join(dir, 'cdk.out');
const offline = {
  ...process.env,
  CDK_DISABLE_VERSION_CHECK: '1',
  HTTPS_PROXY: 'http://127.0.0.1:9',
  HTTP_PROXY: 'http://127.0.0.1:9',
  https_proxy: 'http://127.0.0.1:9',
  http_proxy: 'http://127.0.0.1:9',
};
const diff = (baseline?: string) =>
  run(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'scripts', 'cdk-diff.ts'),
      '--out',
      out,
      ...(baseline ? ['--baseline', baseline] : []),
    ],
    { cwd: ROOT, env: offline },
  );

beforeAll(async () => {
  await run(join(ROOT, 'node_modules', '.bin', 'cdk'), ['synth', '-q', '-o', out], {
    cwd: ROOT,
    env: offline,
  });
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cdk synth and cdk diff, offline', () => {
  it('synthesizes both stacks with their bundled functions', () => {
    const stateless = JSON.parse(readFileSync(join(out, 'SlipwayStateless.template.json'), 'utf8'));
    expect(
      Object.values(stateless.Resources).some(
        (r) => (r as { Type: string }).Type === 'AWS::Lambda::Function',
      ),
    ).toBe(true);
  });

  it('diffs against the committed baseline; the stateful stack has no change from it', async () => {
    const { stdout, stderr } = await diff();
    const text = stdout + stderr;
    expect(text).toContain('Stack SlipwayStateful');
    expect(text).toContain('Stack SlipwayStateless');
    // The stateful stack holds no code assets, so any difference is a real change: update the
    // baseline with `npm run cdk:baseline` when it is meant.
    expect(text.split('Stack SlipwayStateless')[0]).toContain('There were no differences');
  }, 60_000);

  it('reports a difference when the baseline differs (it really compares)', async () => {
    const other = join(dir, 'baseline');
    cpSync(join(ROOT, 'infra', 'baseline'), other, { recursive: true });
    const file = join(other, 'SlipwayStateful.template.json');
    const template = JSON.parse(readFileSync(file, 'utf8'));
    const [first] = Object.keys(template.Resources);
    delete template.Resources[first as string];
    writeFileSync(file, JSON.stringify(template));

    const { stdout, stderr } = await diff(other);
    const stateful = (stdout + stderr).split('Stack SlipwayStateless')[0] ?? '';
    expect(stateful).toContain(first);
    expect(stateful).not.toContain('There were no differences');
  }, 60_000);
});
