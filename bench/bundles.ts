/**
 * `npm run bench:bundles`: the import time of each handler bundle (what a Lambda cold start
 * pays before the first invocation) against a baseline bundle holding only the AWS SDK clients
 * that handler's bundle holds. Every import runs in a fresh node process, rounds alternate
 * between all bundles, the first round is a warm-up that does not count, and the median is
 * reported. Writes its section of BENCHMARKS.md. No target: the numbers are recorded.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import {
  bundleHandlers,
  bundlePath,
  HANDLER_BUNDLE_OPTIONS,
  HANDLERS_DIR,
  type HandlerBundle,
} from '../functions/local/bundle.ts';
import { median, writeSection } from './lib.ts';

const ROOT = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_IMPORT_RUNS ?? 15);

/**
 * The environment Lambda gives a function, with dummy values: credentials and region, and every
 * SLIPWAY_ variable the CDK stack sets, shaped as on AWS (KMS, Lambda hosting, the JWT key in
 * Secrets Manager). Nothing else is inherited, so a handler that reads a variable at import
 * that is missing here fails the benchmark instead of passing by accident. Constructing a
 * client does not call AWS, and nothing is invoked.
 */
const ACCOUNT = 'arn:aws:states:us-east-1:123456789012';
const IMPORT_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'AKIABENCHBENCHBENCH0',
  AWS_SECRET_ACCESS_KEY: 'bench-secret-access-key',
  AWS_SESSION_TOKEN: 'bench-session-token',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'slipway',
  SLIPWAY_TABLE_NAME: 'slipway-bench',
  SLIPWAY_BUCKET_NAME: 'slipway-bench',
  SLIPWAY_DEPLOY_STATE_MACHINE_ARN: `${ACCOUNT}:stateMachine:slipway-deploy`,
  SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN: `${ACCOUNT}:stateMachine:slipway-undeploy`,
  SLIPWAY_PUBLISH_STATE_MACHINE_ARN: `${ACCOUNT}:stateMachine:slipway-publish-connector`,
  SLIPWAY_REGIONS: 'us-east-1.aws',
  SLIPWAY_KMS_KEY_ID: 'arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000',
  SLIPWAY_JWT_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:slipway-jwt',
  SLIPWAY_WORKSPACE_DIR: '/tmp/slipway',
  SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN: 'arn:aws:iam::123456789012:policy/slipway-hosted-boundary',
  SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN: 'arn:aws:iam::123456789012:role/slipway-scheduler',
  SLIPWAY_WEB_ADAPTER_LAYER_ARN: 'arn:aws:lambda:us-east-1:123456789012:layer:web-adapter:1',
  SLIPWAY_ASSETS_BASE_URL: 'https://assets.example.com',
};

/** Run in the child: the time of the import alone, not node's own start-up. */
const IMPORT_SCRIPT = [
  // Lambda's Node.js runtime defines `awslambda` before it loads a handler; streaming handlers
  // call it when they load.
  'globalThis.awslambda = { streamifyResponse: (h) => h, HttpResponseStream: { from: (s) => s } };',
  'const started = performance.now();',
  'await import(process.argv[1]);',
  "process.stdout.write('\\nimport-ms ' + (performance.now() - started) + '\\n');",
  // A handler may leave a handle open (a timer, a socket pool); the import is what is measured.
  'process.exit(0);',
].join('\n');

const exec = promisify(execFile);

/** Imports `file` in a fresh node process and returns how long the import took, in ms. */
const importMs = async (file: string): Promise<number> => {
  const { stdout } = await exec(
    process.execPath,
    ['--input-type=module', '-e', IMPORT_SCRIPT, pathToFileURL(file).href],
    { env: IMPORT_ENV },
  ).catch((error: Error & { stderr?: string }) => {
    throw new Error(`importing ${file} failed:\n${error.stderr ?? error.message}`);
  });
  const ms = /^import-ms (\S+)$/m.exec(stdout)?.[1];
  if (ms === undefined) throw new Error(`importing ${file} printed no time:\n${stdout}`);
  return Number(ms);
};

/** Each `@aws-sdk/client-<name>` package exports exactly one `<Service>Client` class besides `__Client`. */
const clientClass = async (client: string): Promise<string> => {
  const exported = Object.keys(await import(`@aws-sdk/client-${client}`)).filter((name) =>
    /^[A-Z]\w*Client$/.test(name),
  );
  if (exported.length !== 1 || !exported[0])
    throw new Error(`@aws-sdk/client-${client}: expected one client class, found ${exported.join(', ')}`);
  return exported[0];
};

/**
 * The baseline of a set of clients: a module that constructs each of them once, as the
 * adapters do at module scope, and exports them so none is tree-shaken. It holds the SDK
 * clients only (not `@aws-sdk/lib-dynamodb`, the presigner or Powertools), so the difference
 * to the handler is everything the handler brings besides its clients. No clients: an empty
 * module (the banner only).
 */
const baselineSource = async (clients: string[]) => {
  const classes = await Promise.all(clients.map(clientClass));
  return [
    ...clients.map((client, i) => `import { ${classes[i]} } from '@aws-sdk/client-${client}';`),
    `export const clients = [${classes.map((name) => `new ${name}({})`).join(', ')}];`,
  ].join('\n');
};

/** Baseline entries are virtual modules, resolved from the project root as the handlers are. */
const virtualEntries = (sources: Map<string, string>): Plugin => ({
  name: 'bench-baseline-entries',
  setup(builder) {
    builder.onResolve({ filter: /^baseline:/ }, ({ path }) => ({ path, namespace: 'baseline' }));
    builder.onLoad({ filter: /.*/, namespace: 'baseline' }, ({ path }) => ({
      contents: sources.get(path.slice('baseline:'.length)) ?? '',
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
});

const baselineKey = (clients: string[]) => clients.join('+') || 'none';

/**
 * Bundles one baseline per distinct client set into `<outDir>/<key>/index.mjs`. The options
 * are `bundleHandlers`'s (it takes handler names only, so they are repeated here); to notice
 * when they drift apart, the first handler is bundled again here and must come out the same size.
 */
const bundleBaselines = async (outDir: string, handlers: HandlerBundle[]) => {
  const sources = new Map<string, string>();
  for (const { clients } of handlers) sources.set(baselineKey(clients), await baselineSource(clients));
  const check = handlers[0];
  if (!check) throw new Error('no handlers to bundle');
  await build({
    entryPoints: {
      ...Object.fromEntries([...sources.keys()].map((key) => [`${key}/index`, `baseline:${key}`])),
      'check/index': join(HANDLERS_DIR, `${check.name}.ts`),
    },
    outdir: outDir,
    ...HANDLER_BUNDLE_OPTIONS,
    plugins: [...HANDLER_BUNDLE_OPTIONS.plugins, virtualEntries(sources)],
  });
  const checkBytes = statSync(bundlePath(outDir, 'check')).size;
  if (checkBytes !== check.bytes)
    throw new Error(
      `${check.name} bundles to ${checkBytes} bytes here but ${check.bytes} in bundleHandlers: ` +
        'the baseline esbuild options in bench/bundles.ts no longer match functions/local/bundle.ts',
    );
  return (clients: string[]) => bundlePath(outDir, baselineKey(clients));
};

const kb = (bytes: number) => (bytes / 1024).toFixed(0);

const main = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-bundles-'));
  try {
    const started = performance.now();
    const handlers = await bundleHandlers(join(dir, 'handlers'));
    const baselineOf = await bundleBaselines(join(dir, 'baselines'), handlers);
    const files = [
      ...new Set(handlers.flatMap((h) => [bundlePath(join(dir, 'handlers'), h.name), baselineOf(h.clients)])),
    ];

    // Rounds go through every bundle in turn, so a slower stretch of the machine lands on all of
    // them alike. The first round warms the file cache and node's compile cache for nothing.
    const times = new Map<string, number[]>(files.map((file) => [file, []]));
    for (let round = 0; round <= RUNS; round++)
      for (const file of files) {
        const ms = await importMs(file);
        if (round > 0) times.get(file)?.push(ms);
      }
    const medianOf = (file: string) => median(times.get(file) ?? []);

    const rows = handlers.map((h) => {
      const file = bundlePath(join(dir, 'handlers'), h.name);
      const baseline = baselineOf(h.clients);
      const ms = medianOf(file);
      const baselineMs = medianOf(baseline);
      return {
        ...h,
        baselineBytes: statSync(baseline).size,
        ms,
        baselineMs,
        extra: ms - baselineMs,
      };
    });
    const mostExtra = (of: typeof rows) => of.reduce((a, b) => (b.extra > a.extra ? b : a));
    const largest = mostExtra(rows);
    const largestWithClients = mostExtra(rows.filter((r) => r.clients.length > 0));
    const seconds = ((performance.now() - started) / 1000).toFixed(0);

    const section = [
      '## Bundles: import time (`npm run bench:bundles`)',
      '',
      `The time \`await import()\` of each handler bundle takes (what a cold start pays before the first invocation), against a baseline bundle holding only the AWS SDK clients that handler's bundle holds, each constructed once (\`new DynamoDBClient({})\`, …); handlers without a client get an empty module. Both are bundled by \`functions/local/bundle.ts\` with the same esbuild settings. Every import runs in a fresh node process with Lambda-shaped dummy environment variables; ${RUNS + 1} rounds through all bundles, the first discarded as a warm-up, median of the rest. Measured ${new Date().toISOString().slice(0, 10)} on this machine (${process.version}, ${cpus().length} cores), ${seconds} s in all.`,
      '',
      '| handler | SDK clients | bundle KB | baseline KB | import ms | baseline import ms | ratio | extra ms |',
      '|---|---|---:|---:|---:|---:|---:|---:|',
      ...rows.map(
        (r) =>
          `| ${r.name} | ${r.clients.join(', ') || 'none'} | ${kb(r.bytes)} | ${kb(r.baselineBytes)} | ${r.ms.toFixed(1)} | ${r.baselineMs.toFixed(1)} | ${(r.ms / r.baselineMs).toFixed(2)} | ${r.extra.toFixed(1)} |`,
      ),
      '',
      `**Largest extra: ${largest.extra.toFixed(1)} ms (${largest.name})**; among handlers with SDK clients, ${largestWithClients.extra.toFixed(1)} ms (${largestWithClients.name}) over the clients it uses. No target; the extra is everything besides the clients: the handler's own code, middy, Powertools, zod and its schemas, \`@aws-sdk/lib-dynamodb\` and any other package in the bundle. The ratio of a handler without clients is against an empty module, so it says little.`,
      '',
    ].join('\n');
    writeSection('## Bundles: import time', section);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

await main();
