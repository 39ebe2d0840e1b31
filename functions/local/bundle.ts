import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { type BuildOptions, build, type Plugin } from 'esbuild';

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

/**
 * Module substitutions for the handler bundles: the SDK's default credential chain becomes the
 * environment provider Lambda needs (see `adapters/aws/lambda-credentials.ts`).
 */
export const BUNDLE_ALIAS: Record<string, string> = {
  '@aws-sdk/credential-provider-node': join(
    import.meta.dirname,
    '..',
    'adapters',
    'aws',
    'lambda-credentials.ts',
  ),
};

export const HANDLERS_DIR = join(import.meta.dirname, '..', 'handlers');

export const handlerNames = (): string[] =>
  readdirSync(HANDLERS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'));

/**
 * Lets esbuild tree-shake the AWS SDK's operation schemas. Each client keeps every operation's
 * schema in one module (`dist-es/schemas/schemas_0.js`), and each schema literal has computed
 * keys such as `{ [_h]: ["PUT", "/?cors", 200] }` where `_h` is a module constant (`"http"`).
 * esbuild cannot prove a computed key free of side effects, so it keeps all of them: every
 * S3 operation in a bundle that calls three. Rewriting the keys to the constants' string
 * literals (`{ "http": … }`, the same object) lets the unused schemas go: about 50 KB from
 * each bundle with the S3 client, 40 KB with Lambda's. Measured with `npm run build`.
 */
export const sdkSchemaKeys: Plugin = {
  name: 'sdk-schema-literal-keys',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async ({ path }) => {
        const source = await readFile(path, 'utf8');
        const constants = new Map<string, string>();
        for (const [, name, value] of source.matchAll(/^const (_\w+) = ("[^"\\]*");$/gm))
          if (name && value) constants.set(name, value);
        const contents = source.replace(/\[(_\w+)\]:/g, (key, name: string) => {
          const literal = constants.get(name);
          return literal === undefined ? key : `${literal}:`;
        });
        return { contents, loader: 'js' };
      },
    );
  },
};

/**
 * Each SDK client imports its whole `package.json` (about 2 KB: scripts, dependencies, …) to
 * read one field, `version`, for its user agent. Only that field is given to the bundle:
 * 2 KB less per client, which is 20 KB in a bundle with ten (the reaper's).
 */
export const sdkPackageVersion: Plugin = {
  name: 'sdk-package-version',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]package\.json$/ }, async ({ path }) => {
      const { version } = JSON.parse(await readFile(path, 'utf8')) as { version: string };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

/**
 * A paginator is `export const paginateScan = createPaginator(Client, ScanCommand, …)`: a call,
 * which esbuild keeps whether or not the paginator is used, and with it the command and its
 * schemas. The clients declare `"sideEffects": false`, so theirs go; lib-dynamodb does not, so
 * every bundle with the document client held its Scan. `createPaginator` only makes a function:
 * marking its calls pure (`@__PURE__`) lets the unused ones go, 1.5 KB a bundle.
 */
export const sdkPurePaginators: Plugin = {
  name: 'sdk-pure-paginators',
  setup(builder) {
    builder.onLoad(
      { filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]dist-es[\\/]pagination[\\/]\w+Paginator\.js$/ },
      async ({ path }) => {
        const source = await readFile(path, 'utf8');
        return {
          contents: source.replace(/= createPaginator\(/g, '= /* @__PURE__ */ createPaginator('),
          loader: 'js',
        };
      },
    );
  },
};

/**
 * What stands in for `@smithy/core/event-streams`: the three names the SDK imports, the config
 * resolver as the SDK has it, and a codec that refuses. Building fails if the SDK ever imports
 * another name from it.
 */
const EVENT_STREAMS_STAND_IN = `
const refuse = () => {
  throw new Error("Event streams are not in Slipway's handler bundles (sdkWithoutEventStreams, functions/local/bundle.ts)");
};
export const eventStreamSerdeProvider = () => ({ serialize: refuse, deserialize: refuse });
export const resolveEventStreamSerdeConfig = (input) =>
  Object.assign(input, { eventStreamMarshaller: input.eventStreamSerdeProvider(input) });
export class EventStreamSerde {
  constructor() {
    refuse();
  }
}
`;

/**
 * Leaves the SDK's event-stream codec out of the handler bundles. It was in every bundle with
 * an SDK client, 19 KB each: the protocols import it dynamically (which keeps all of a module)
 * and the Lambda and S3 clients make its marshaller when they are created. Yet the SDK uses it
 * only for an operation whose schema has an event stream (Lambda's InvokeWithResponseStream,
 * S3's SelectObjectContent), and no handler calls one: every other operation runs as before.
 * Such a call would throw, naming this plugin, and test/infra/bundles.test.ts fails on any
 * bundle holding such an operation long before.
 */
export const sdkWithoutEventStreams: Plugin = {
  name: 'sdk-without-event-streams',
  setup(builder) {
    builder.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, ({ path }) => ({
      path,
      namespace: 'sdk-without-event-streams',
    }));
    builder.onLoad({ filter: /.*/, namespace: 'sdk-without-event-streams' }, () => ({
      contents: EVENT_STREAMS_STAND_IN,
      loader: 'js',
    }));
  },
};

export interface HandlerBundle {
  name: string;
  bytes: number;
  /** The AWS SDK clients inside the bundle (`dynamodb`, `s3`, …), from esbuild's metafile. */
  clients: string[];
  /** Every npm package with code in the bundle. */
  packages: string[];
  /** The SDK operations the bundle can send, as `client:Operation` (`s3:CopyObject`). */
  operations: string[];
}

type Inputs = Record<string, { bytesInOutput: number }>;

const packagesOf = (inputs: Inputs) =>
  [
    ...new Set(
      Object.entries(inputs)
        .filter(([, input]) => input.bytesInOutput > 0)
        .flatMap(([file]) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file)?.[1] ?? []),
    ),
  ].sort();

const operationsOf = (inputs: Inputs) =>
  Object.entries(inputs)
    .filter(([, input]) => input.bytesInOutput > 0)
    .flatMap(([file]) => {
      const [, client, operation] =
        /@aws-sdk\/client-([^/]+)\/dist-es\/commands\/(\w+)Command\.js$/.exec(file) ?? [];
      return client && operation ? [`${client}:${operation}`] : [];
    })
    .sort();

/**
 * What every bundle that runs on AWS shares: the handlers, the build jobs CodeBuild runs
 * (`infra/constructs/workflows.ts`) and the benchmarks' baselines.
 */
export const AWS_BUNDLE_OPTIONS = {
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  minify: true,
  mainFields: BUNDLE_MAIN_FIELDS,
  banner: { js: BUNDLE_BANNER },
  logLevel: 'warning',
} satisfies BuildOptions;

/** The handlers' options: Lambda's credentials, the SDK plugins above, a metafile for sizes. */
export const HANDLER_BUNDLE_OPTIONS = {
  ...AWS_BUNDLE_OPTIONS,
  sourcemap: 'linked',
  alias: BUNDLE_ALIAS,
  plugins: [sdkSchemaKeys, sdkPackageVersion, sdkPurePaginators, sdkWithoutEventStreams],
  metafile: true,
} satisfies BuildOptions;

/** Where `bundleHandlers` puts a handler's bundle. */
export const bundlePath = (outDir: string, name: string) => join(outDir, name, 'index.mjs');

/**
 * Bundles handlers (all of them unless `names` says which) into `<outDir>/<name>/index.mjs`
 * in one esbuild run; returns each bundle's size and the SDK clients it holds.
 */
export const bundleHandlers = async (outDir: string, names = handlerNames()): Promise<HandlerBundle[]> => {
  const result = await build({
    entryPoints: Object.fromEntries(names.map((name) => [`${name}/index`, join(HANDLERS_DIR, `${name}.ts`)])),
    outdir: outDir,
    ...HANDLER_BUNDLE_OPTIONS,
  });
  return Object.entries(result.metafile.outputs)
    .filter(([file]) => file.endsWith('.mjs'))
    .map(([file, output]) => ({
      name: basename(join(file, '..')),
      bytes: output.bytes,
      clients: packagesOf(output.inputs).flatMap((p) => /^@aws-sdk\/client-(.+)$/.exec(p)?.[1] ?? []),
      packages: packagesOf(output.inputs),
      operations: operationsOf(output.inputs),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
};
