import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLE_MAIN_FIELDS,
  sdkPurePaginators,
  sdkSchemaKeys,
  sdkWithoutEventStreams,
} from '../../functions/local/bundle.ts';

/**
 * The SDK schema plugin rewrites `{ [_h]: … }` to `{ "http": … }` in the clients' schema
 * modules. It must change nothing but what a bundler can see: every exported schema of every
 * client Slipway depends on is compared, as data, with and without the plugin.
 */
const ROOT = join(import.meta.dirname, '..', '..');
const CLIENTS = Object.keys(
  (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> })
    .dependencies,
).flatMap((name) => /^@aws-sdk\/client-(.+)$/.exec(name)?.[1] ?? []);
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
    nodePaths: [join(ROOT, 'node_modules')],
    plugins,
    logLevel: 'error',
  });
  return (await import(pathToFileURL(outfile).href)) as Record<string, unknown>;
};

describe('the SDK schema plugin', () => {
  it('covers every client Slipway depends on', () => {
    expect(CLIENTS).toEqual(
      expect.arrayContaining(['s3', 'lambda', 'dynamodb', 'kms', 'iam', 'eventbridge']),
    );
  });

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
      nodePaths: [join(ROOT, 'node_modules')],
      plugins: [sdkSchemaKeys],
      logLevel: 'error',
    });
    const text = result.outputFiles[0]?.text ?? '';
    expect(text.match(/\[_h\]:/g)).toBeNull();
    expect(text).toMatch(/"http": \["PUT", "\/\?cors", 200\]/);
  });
});

/** The modules with code in the bundle of `source` built with `plugins`. */
let entries = 0;
const bundledModules = async (source: string, plugins: Plugin[]) => {
  entries += 1;
  const entry = join(dir, `modules-entry-${entries}.mjs`);
  writeFileSync(entry, source);
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    metafile: true,
    outdir: dir,
    platform: 'node',
    format: 'esm',
    mainFields: BUNDLE_MAIN_FIELDS,
    nodePaths: [join(ROOT, 'node_modules')],
    plugins,
    logLevel: 'error',
  });
  return Object.values(result.metafile.outputs).flatMap((output) =>
    Object.entries(output.inputs).flatMap(([path, input]) => (input.bytesInOutput > 0 ? [path] : [])),
  );
};

const holding = (modules: string[], pattern: RegExp) => modules.some((path) => pattern.test(path));

describe('the SDK paginator plugin', () => {
  it("drops lib-dynamodb's unused paginators, and the commands only they send", async () => {
    const source = "export { GetCommand } from '@aws-sdk/lib-dynamodb';\n";
    const [before, after] = await Promise.all([
      bundledModules(source, []),
      bundledModules(source, [sdkPurePaginators]),
    ]);
    expect(holding(before, /lib-dynamodb\/dist-es\/commands\/ScanCommand\.js$/)).toBe(true);
    expect(holding(after, /lib-dynamodb\/dist-es\/commands\/ScanCommand\.js$/)).toBe(false);
    expect(holding(after, /lib-dynamodb\/dist-es\/commands\/GetCommand\.js$/)).toBe(true);
  });
});

/**
 * The handlers' bundles have no event-stream codec (`sdkWithoutEventStreams`). A client made
 * with the stand-in answers every other operation as before; an operation with an event stream
 * fails, naming the plugin. The requests are answered here, by a request handler of the test.
 */
describe('the SDK event-stream stand-in', () => {
  const entrySource = `
import { Readable } from 'node:stream';
import { GetFunctionCommand, InvokeWithResponseStreamCommand, LambdaClient } from '@aws-sdk/client-lambda';
const client = new LambdaClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  requestHandler: {
    handle: async () => ({
      response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.from('{"Configuration":{"FunctionName":"f"}}')]) },
    }),
  },
});
export const ordinary = async () => (await client.send(new GetFunctionCommand({ FunctionName: 'f' }))).Configuration;
export const streaming = () => client.send(new InvokeWithResponseStreamCommand({ FunctionName: 'f' }));
`;

  it('leaves other operations as they were, and refuses one with an event stream', async () => {
    const entry = join(dir, 'event-streams-entry.mjs');
    writeFileSync(entry, entrySource);
    const [before, after] = await Promise.all([
      load(entry, 'event-streams', [], 'plain'),
      load(entry, 'event-streams', [sdkWithoutEventStreams], 'plugin'),
    ]);
    const call = (module: Record<string, unknown>, name: string) =>
      (module[name] as () => Promise<unknown>)();
    expect(await call(after, 'ordinary')).toEqual(await call(before, 'ordinary'));
    expect(await call(after, 'ordinary')).toEqual({ FunctionName: 'f' });
    await expect(call(after, 'streaming')).rejects.toThrow(
      /Event streams are not in Slipway's handler bundles/,
    );
  });

  it('is what the handlers bundle instead of the codec', async () => {
    const source = "export { LambdaClient } from '@aws-sdk/client-lambda';\n";
    const codec = /@smithy\/core\/dist-es\/submodules\/event-streams\//;
    const [before, after] = await Promise.all([
      bundledModules(source, []),
      bundledModules(source, [sdkWithoutEventStreams]),
    ]);
    expect(holding(before, codec)).toBe(true);
    expect(holding(after, codec)).toBe(false);
  });
});
