/**
 * `npm run cdk:diff`: `cdk diff --template` of each stack in `cdk.out` against the templates
 * committed in `infra/baseline/`, with no AWS account and no network (the diff reads both
 * sides from disk). `npm run cdk:baseline` (`--update`) copies the current templates there, so
 * a change to the infrastructure shows in review as a change to the baseline.
 *
 * Options: `--out <cloud assembly dir>` (default `cdk.out`), `--baseline <dir>` (default
 * `infra/baseline`).
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const STACKS = ['SlipwayStateful', 'SlipwayStateless'];
const ROOT = join(import.meta.dirname, '..');
const BASELINE_DIR = resolve(ROOT, 'infra', 'baseline');

const { values } = parseArgs({
  options: {
    update: { type: 'boolean', default: false },
    out: { type: 'string', default: 'cdk.out' },
    baseline: { type: 'string' },
  },
});
const out = resolve(ROOT, values.out ?? 'cdk.out');

if (values.update) {
  mkdirSync(BASELINE_DIR, { recursive: true });
  for (const stack of STACKS)
    copyFileSync(join(out, `${stack}.template.json`), join(BASELINE_DIR, `${stack}.template.json`));
  process.stdout.write(`baseline updated in ${BASELINE_DIR}\n`);
} else {
  for (const stack of STACKS) {
    execFileSync(
      join(ROOT, 'node_modules', '.bin', 'cdk'),
      [
        'diff',
        '--exclusively',
        '--app',
        out,
        '--template',
        join(values.baseline ? resolve(values.baseline) : BASELINE_DIR, `${stack}.template.json`),
        stack,
      ],
      { stdio: 'inherit', env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1' } },
    );
  }
}
