/**
 * `npm run build`: one bundle per Lambda handler into dist/<name>/index.mjs, with sizes and
 * the SDK clients each holds. `--only <name> --out <dir>` bundles one handler into
 * `<dir>/index.mjs`: the CDK's local bundling runs that, so Lambda gets this very bundle.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundleHandlers, bundlePath } from '../functions/local/bundle.ts';

const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } } });

if (values.only) {
  if (!values.out) throw new Error('--only needs --out <dir>');
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));
  try {
    await bundleHandlers(scratch, [values.only]);
    cpSync(join(scratch, values.only), values.out, { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  const outDir = join(import.meta.dirname, '..', 'dist');
  for (const { name, bytes, clients } of await bundleHandlers(outDir)) {
    const kb = (bytes / 1024).toFixed(0).padStart(5);
    process.stdout.write(`${name.padEnd(20)} ${kb} KB  ${clients.join(', ') || '(no AWS clients)'}\n`);
  }
  process.stdout.write(`bundles in ${bundlePath(outDir, '<name>')}\n`);
}
