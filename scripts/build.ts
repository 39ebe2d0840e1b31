/**
 * One ESM bundle per Lambda handler into dist/<name>/index.mjs: the AWS SDK bundled (not
 * taken from the runtime), minified, `module` before `main` so packages resolve to their
 * ESM builds and tree-shake. Prints each bundle's size.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const HANDLERS = join(ROOT, 'functions', 'handlers');
const OUT = join(ROOT, 'dist');

const names = readdirSync(HANDLERS)
  .filter((file) => file.endsWith('.ts'))
  .map((file) => basename(file, '.ts'));

for (const name of names) {
  const outfile = join(OUT, name, 'index.mjs');
  await build({
    entryPoints: [join(HANDLERS, `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: false,
    mainFields: ['module', 'main'],
    // Some CommonJS dependencies call require(); give ESM bundles one.
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'warning',
  });
  process.stdout.write(`${name.padEnd(16)} ${(statSync(outfile).size / 1024).toFixed(0).padStart(5)} KB\n`);
}
