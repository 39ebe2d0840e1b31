import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_MAIN_FIELDS, sdkSchemaKeys } from '../../functions/local/bundle.ts';

/**
 * The SDK schema plugin rewrites `{ [_h]: … }` to `{ "http": … }` in the clients' schema
 * modules. It must change nothing but what a bundler can see: every exported schema of the
 * clients Slipway uses is compared, as data, with and without the plugin.
 */
const CLIENTS = ['s3', 'lambda', 'dynamodb', 'sfn', 'kms', 'sns', 'sqs', 'scheduler'];
const dir = mkdtempSync(join(tmpdir(), 'slipway-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Schemas refer to others through thunks (`() => X$`); those are compared by position only. */
const asData = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'function' ? '[thunk]' : v));

const load = async (entry: string, client: string, plugins: Plugin[], tag: string) => {
  const outfile = join(dir, `${client}-${tag}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: BUNDLE_MAIN_FIELDS,
    nodePaths: [join(import.meta.dirname, '..', '..', 'node_modules')],
    plugins,
    logLevel: 'error',
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
};

describe('the SDK schema plugin', () => {
  it.each(CLIENTS)('leaves every schema of client-%s equal as data', async (client) => {
    const entry = join(dir, `${client}-entry.mjs`);
    writeFileSync(entry, `export * from '@aws-sdk/client-${client}/dist-es/schemas/schemas_0.js';\n`);
    const [before, after] = await Promise.all([
      load(entry, client, [], 'plain'),
      load(entry, client, [sdkSchemaKeys], 'plugin'),
    ]);
    const names = Object.keys(before).filter((name) => name.endsWith('$'));
    expect(names.length).toBeGreaterThan(10);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    for (const name of names) expect(asData(after[name]), name).toBe(asData(before[name]));
  });

  it('actually rewrites computed keys (the rewrite is what lets unused schemas go)', async () => {
    const entry = join(dir, 'rewrite-entry.mjs');
    writeFileSync(entry, "export * from '@aws-sdk/client-s3/dist-es/schemas/schemas_0.js';\n");
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      mainFields: BUNDLE_MAIN_FIELDS,
      nodePaths: [join(import.meta.dirname, '..', '..', 'node_modules')],
      plugins: [sdkSchemaKeys],
      logLevel: 'error',
    });
    const text = result.outputFiles[0]?.text ?? '';
    expect(text.match(/\[_h\]:/g)).toBeNull();
    expect(text).toMatch(/"http": \["PUT", "\/\?cors", 200\]/);
  });
});
