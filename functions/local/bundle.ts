import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';

/**
 * How every Lambda handler is bundled: one ESM file per handler, the AWS SDK inside it (not
 * taken from the runtime), minified, `module` before `main` so packages resolve to their ESM
 * builds and tree-shake. `npm run build`, the CDK functions and the local stack all use
 * these settings, so the code the local stack runs is the artifact Lambda runs.
 */
export const BUNDLE_MAIN_FIELDS = ['module', 'main'];
/** Some CommonJS dependencies call require(); give the ESM bundles one. */
export const BUNDLE_BANNER =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";

export const HANDLERS_DIR = join(import.meta.dirname, '..', 'handlers');

export const handlerNames = (): string[] =>
  readdirSync(HANDLERS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'));

/** Where `bundleHandlers` puts a handler's bundle. */
export const bundlePath = (outDir: string, name: string) => join(outDir, name, 'index.mjs');

/** Bundles every handler into `<outDir>/<name>/index.mjs` in one esbuild run; returns the sizes. */
export const bundleHandlers = async (outDir: string): Promise<{ name: string; bytes: number }[]> => {
  const result = await build({
    entryPoints: Object.fromEntries(
      handlerNames().map((name) => [`${name}/index`, join(HANDLERS_DIR, `${name}.ts`)]),
    ),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    minify: true,
    sourcemap: 'linked',
    mainFields: BUNDLE_MAIN_FIELDS,
    banner: { js: BUNDLE_BANNER },
    metafile: true,
    logLevel: 'warning',
  });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, output]) => ({ name: basename(join(file, '..')), bytes: output.bytes }))
    .sort((a, b) => a.name.localeCompare(b.name));
};
