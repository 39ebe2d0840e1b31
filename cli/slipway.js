#!/usr/bin/env node
// The `slipway` command. A checkout needs no build step: the TypeScript sources are bundled by
// esbuild (which tsx, a dependency, brings) into node_modules/.cache/slipway-cli/ on the first
// run and again whenever a source is newer (one bundle per checkout: worktrees may share
// node_modules), so every other run starts in plain Node, without a
// TypeScript loader (about a third of the start-up time). Should that fail (a read-only
// install, say), tsx runs the sources directly.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const checkout = createHash('sha256').update(here).digest('hex').slice(0, 16);
const bundle = join(here, '..', 'node_modules', '.cache', 'slipway-cli', checkout, 'main.mjs');

/** The newest modification time among the sources (and package.json, whose version it prints). */
const newestSource = (dir) =>
  Math.max(
    statSync(join(here, '..', 'package.json')).mtimeMs,
    ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return newestSource(path);
      return entry.name.endsWith('.ts') ? statSync(path).mtimeMs : 0;
    }),
  );

const load = async () => {
  try {
    if (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(here)) {
      const { build } = await import('esbuild');
      mkdirSync(dirname(bundle), { recursive: true });
      // Written aside and renamed: two runs building at once each leave a whole bundle.
      const written = `${bundle}.${process.pid}.tmp`;
      await build({
        entryPoints: [join(here, 'main.ts')],
        outfile: written,
        bundle: true,
        platform: 'node',
        format: 'esm',
        packages: 'external',
        logLevel: 'silent',
      });
      renameSync(written, bundle);
    }
    return await import(pathToFileURL(bundle).href);
  } catch {
    const { tsImport } = await import('tsx/esm/api');
    return tsImport('./main.ts', import.meta.url);
  }
};

const { main } = await load();
process.exitCode = await main(process.argv);
