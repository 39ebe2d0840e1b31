/**
 * `npm run build`: one bundle per Lambda handler into dist/<name>/index.mjs, with sizes and
 * the SDK clients each holds. `--only <name> --out <dir>` bundles one handler into
 * `<dir>/index.mjs`: the CDK's local bundling runs that, so Lambda gets this very bundle.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildConsole } from '../console/build.ts';
import { CONSOLE_MANIFEST, CONSOLE_PACKAGE_DIR } from '../functions/adapters/console/packaged-files.ts';
import { bundleHandlers, bundlePath } from '../functions/local/bundle.ts';

/** The handler that publishes the web console on AWS carries its files beside its bundle. */
const CONSOLE_PUBLISHER = 'console-site';

const packageConsole = async (bundleDir: string) => {
  const dir = join(bundleDir, CONSOLE_PACKAGE_DIR);
  const files = await buildConsole();
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.path)), { recursive: true });
    writeFileSync(join(dir, file.path), file.body);
  }
  const manifest = files.map(({ path, contentType, immutable }) => ({ path, contentType, immutable }));
  writeFileSync(join(dir, CONSOLE_MANIFEST), JSON.stringify(manifest));
};

const { values } = parseArgs({ options: { only: { type: 'string' }, out: { type: 'string' } } });

if (values.only) {
  if (!values.out) throw new Error('--only needs --out <dir>');
  const scratch = mkdtempSync(join(tmpdir(), 'slipway-bundle-'));
  try {
    await bundleHandlers(scratch, [values.only]);
    if (values.only === CONSOLE_PUBLISHER) await packageConsole(join(scratch, values.only));
    cpSync(join(scratch, values.only), values.out, { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  const outDir = join(import.meta.dirname, '..', 'dist');
  const bundles = await bundleHandlers(outDir);
  await packageConsole(join(outDir, CONSOLE_PUBLISHER));
  for (const { name, bytes, clients } of bundles) {
    const kb = (bytes / 1024).toFixed(0).padStart(5);
    process.stdout.write(`${name.padEnd(20)} ${kb} KB  ${clients.join(', ') || '(no AWS clients)'}\n`);
  }
  process.stdout.write(`bundles in ${bundlePath(outDir, '<name>')}\n`);
}
