/**
 * What the deployed code can do, read from the code itself: every handler and the CodeBuild
 * jobs are bundled as for AWS (one esbuild run each, nothing written), and the source files
 * the bundles keep are scanned for the AWS SDK commands they construct, the `config` getters
 * they read and the indexes they query. Tree-shaking is respected: a top-level statement
 * counts only when the bundle's source map says some of it is in the bundle.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { type BuildOptions, build } from 'esbuild';
import ts from 'typescript';
import {
  AWS_BUNDLE_OPTIONS,
  HANDLER_BUNDLE_OPTIONS,
  HANDLERS_DIR,
  handlerNames,
} from '../../../functions/local/bundle.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CONFIG_FILE = join(ROOT, 'functions', 'config.ts');
/** The bundle CodeBuild runs (`infra/constructs/workflows.ts` bundles the same entry as `jobs.mjs`). */
export const JOBS_ENTRY = 'jobs';

/**
 * The SDK clients the code may use: package, the client class the bundle names, and the
 * service's IAM prefix. A client missing here fails the analysis, so a new one is noticed.
 */
export const SERVICES: Record<string, { client: string; iam: string }> = {
  '@aws-sdk/client-cloudfront': { client: 'CloudFrontClient', iam: 'cloudfront' },
  '@aws-sdk/client-dynamodb': { client: 'DynamoDBClient', iam: 'dynamodb' },
  '@aws-sdk/client-eventbridge': { client: 'EventBridgeClient', iam: 'events' },
  '@aws-sdk/client-iam': { client: 'IAMClient', iam: 'iam' },
  '@aws-sdk/client-kms': { client: 'KMSClient', iam: 'kms' },
  '@aws-sdk/client-lambda': { client: 'LambdaClient', iam: 'lambda' },
  '@aws-sdk/client-resource-groups-tagging-api': { client: 'ResourceGroupsTaggingAPIClient', iam: 'tag' },
  '@aws-sdk/client-s3': { client: 'S3Client', iam: 's3' },
  '@aws-sdk/client-scheduler': { client: 'SchedulerClient', iam: 'scheduler' },
  '@aws-sdk/client-secrets-manager': { client: 'SecretsManagerClient', iam: 'secretsmanager' },
  '@aws-sdk/client-sfn': { client: 'SFNClient', iam: 'states' },
  '@aws-sdk/client-sns': { client: 'SNSClient', iam: 'sns' },
  '@aws-sdk/client-sqs': { client: 'SQSClient', iam: 'sqs' },
};

/**
 * Commands a bundle holds that nothing sends: the client or a library keeps them for a
 * feature Slipway does not use. Anything else in a bundle must come from a call site found
 * in the source, or the analysis fails (a call site the scan cannot see).
 */
const BUNDLED_NOT_SENT: { client: string; operation: string; reason: string }[] = [
  {
    client: 'DynamoDBClient',
    operation: 'DescribeEndpoints',
    reason: 'endpoint discovery, which the client uses only when endpointDiscoveryEnabled is set',
  },
  {
    client: 'S3Client',
    operation: 'CreateSession',
    reason: 'S3 Express One Zone sessions, for directory buckets only (ours are general purpose)',
  },
  {
    client: 'DynamoDBClient',
    operation: 'Scan',
    reason: "lib-dynamodb's paginateScan, kept by its index module; nothing calls it",
  },
];

/** Clients of the default credential chain (the jobs bundle): CodeBuild's container credentials come first. */
const CREDENTIAL_CHAIN_CLIENT = /^(STS|SSO|SSOOIDC|Signin|CognitoIdentity)Client$/;

export interface AwsCall {
  /** The SDK package, e.g. `@aws-sdk/client-s3`. */
  sdk: string;
  operation: string;
  /** `file:line`, relative to the repository. */
  site: string;
  file: string;
  /** The command's input is an object literal with `Tags`/`tags` (tag-on-create needs the tagging action). */
  tagged: boolean;
  /**
   * The method the call is in when no kept code reads that method's name: bundled (the
   * cross-check counts it) but never called (the permissions do not).
   */
  uncalled?: string;
}

export interface ConfigRead {
  getter: string;
  site: string;
  /** As for calls: the method nothing calls that the read is in. */
  uncalled?: string;
}

export interface EntryCode {
  /** A handler's name (`functions/handlers/<name>.ts`), or `jobs`. */
  name: string;
  calls: AwsCall[];
  configReads: ConfigRead[];
  /** `IndexName: '<name>'` literals in kept code: the indexes its queries use. */
  indexNames: { name: string; site: string }[];
  /** Per file with a transaction: the kinds of its items (`Put`, `Update`, `Delete`, `ConditionCheck`). */
  transactionKinds: Map<string, Set<string>>;
  /** The commands in the minified bundle, by client class: the cross-check of `calls`. */
  bundled: Map<string, Set<string>>;
}

/** Adds `value` to the set `map` holds under `key`. */
export const addTo = <K, V>(map: Map<K, Set<V>>, key: K, value: V) => {
  const set = map.get(key) ?? new Set<V>();
  set.add(value);
  map.set(key, set);
};

const VLQ = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]),
);

/** The 1-based source lines each source of a v3 source map has code in the output from. */
const mappedLines = (map: { sources: string[]; mappings: string }) => {
  const lines = new Map<number, Set<number>>();
  let source = 0;
  let line = 0;
  for (const group of map.mappings.split(';'))
    for (const segment of group.split(',')) {
      if (!segment) continue;
      const fields: number[] = [];
      let value = 0;
      let shift = 0;
      for (const char of segment) {
        const digit = VLQ.get(char) ?? 0;
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length < 4) continue;
      source += fields[1] ?? 0;
      line += fields[2] ?? 0;
      addTo(lines, source, line + 1);
    }
  return lines;
};

/**
 * The commands a minified bundle defines: each client's command builder is
 * `X=f(a,"<target>","<Name>Client",b)` and each command `class extends X(a,b,"<Operation>",c)`.
 */
const bundledCommands = (text: string) => {
  const builders = new Map<string, string>();
  for (const m of text.matchAll(
    /([A-Za-z_$][\w$]*)=[A-Za-z_$][\w$]*\([\w$]+,"[\w .-]+","(\w+Client)",[\w$]+\)/g,
  ))
    if (m[1] && m[2]) builders.set(m[1], m[2]);
  const commands = new Map<string, Set<string>>();
  for (const m of text.matchAll(/extends ([A-Za-z_$][\w$]*)\([\w$]+,[\w$]+,"(\w+)",[\w$]+\)/g)) {
    addTo(commands, builders.get(m[1] ?? '') ?? `unknown builder ${m[1]}`, m[2] ?? '');
  }
  return commands;
};

/** lib-dynamodb's commands wrap a client command: `GetCommand` sends `GetItemCommand`. */
const documentClientOperation = (command: string): string => {
  const path = join(ROOT, 'node_modules', '@aws-sdk', 'lib-dynamodb', 'dist-es', 'commands', `${command}.js`);
  const wrapped = /new __(\w+)Command\(/.exec(readFileSync(path, 'utf8'))?.[1];
  if (!wrapped) throw new Error(`lib-dynamodb's ${command} wraps no client command (${path})`);
  return wrapped;
};

/** The commands a client's waiter sends (`waitForFunctionActiveV2` sends GetFunction). */
const waiterOperations = (sdk: string, waiter: string): string[] => {
  const path = join(ROOT, 'node_modules', sdk, 'dist-es', 'waiters', `${waiter}.js`);
  const ops = [...readFileSync(path, 'utf8').matchAll(/new (\w+)Command\(/g)].flatMap((m) => m[1] ?? []);
  if (ops.length === 0) throw new Error(`${sdk}'s ${waiter} sends no command (${path})`);
  return [...new Set(ops)];
};

const isSdkInternal = (file: string) => /node_modules\/(@aws-sdk|@smithy|@aws-crypto|tslib)\//.test(file);
const isOurs = (file: string) => file.startsWith(`${join(ROOT, 'functions')}/`);

interface KeptFile {
  file: string;
  source: ts.SourceFile;
  kept: ts.Statement[];
}

const keptFiles = (sources: Map<string, string>, reached: Map<string, Set<number>>): KeptFile[] =>
  [...reached].flatMap(([file, lines]) => {
    const text = sources.get(file);
    if (text === undefined || isSdkInternal(file)) return [];
    if (!isOurs(file) && !/Command\(|paginate|waitFor|waitUntil/.test(text)) return [];
    const kind = file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, kind);
    const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line + 1;
    const kept = source.statements.filter((statement) => {
      const [from, to] = [lineOf(statement.getStart(source)), lineOf(statement.getEnd())];
      for (let line = from; line <= to; line++) if (lines.has(line)) return true;
      return false;
    });
    return [{ file, source, kept }];
  });

/**
 * The property names kept code reads (`x.name`, `x['name']`, `{ name } = x`): a method of an
 * object or class whose name nothing reads is never called, though the bundle keeps it (a
 * repository's writes in a function that only reads). Our kept statements are parsed; the
 * libraries' sources are searched whole, which can only add names.
 */
const referencedNames = (files: KeptFile[], sources: Map<string, string>) => {
  const names = new Set<string>();
  const visit = (node: ts.Node) => {
    if (ts.isPropertyAccessExpression(node)) names.add(node.name.text);
    if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression))
      names.add(node.argumentExpression.text);
    if (ts.isBindingElement(node) && ts.isObjectBindingPattern(node.parent)) {
      const key = node.propertyName ?? node.name;
      if (ts.isIdentifier(key)) names.add(key.text);
    }
    ts.forEachChild(node, visit);
  };
  for (const { file, kept } of files) if (isOurs(file)) for (const statement of kept) visit(statement);
  for (const [file, text] of sources)
    if (!isOurs(file)) for (const m of text.matchAll(/\.\s*([A-Za-z_$][\w$]*)/g)) names.add(m[1] ?? '');
  return names;
};

/** The name of a method-like member (a method, accessor, or a property holding a function), if `node` is one. */
const memberName = (node: ts.Node): string | undefined => {
  if (
    (ts.isMethodDeclaration(node) ||
      ts.isGetAccessorDeclaration(node) ||
      ts.isSetAccessorDeclaration(node)) &&
    ts.isIdentifier(node.name)
  )
    return node.name.text;
  if (
    (ts.isPropertyAssignment(node) || ts.isPropertyDeclaration(node)) &&
    ts.isIdentifier(node.name) &&
    node.initializer &&
    (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))
  )
    return node.name.text;
  return undefined;
};

const analyseEntry = (
  name: string,
  bundleText: string,
  sources: Map<string, string>,
  reached: Map<string, Set<number>>,
): EntryCode => {
  const files = keptFiles(sources, reached);
  const referenced = referencedNames(files, sources);
  const calls: AwsCall[] = [];
  const configReads: ConfigRead[] = [];
  const indexNames: { name: string; site: string }[] = [];
  const transactionKinds = new Map<string, Set<string>>();

  for (const { file, source, kept } of files) {
    const path = relative(ROOT, file);
    const siteOf = (node: ts.Node) =>
      `${path}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
    // Imported names: local name → module and exported name.
    const imports = new Map<string, { module: string; name: string }>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
      const bindings = statement.importClause?.namedBindings;
      if (!bindings || !ts.isNamedImports(bindings)) continue;
      for (const element of bindings.elements)
        imports.set(element.name.text, {
          module: statement.moduleSpecifier.text,
          name: (element.propertyName ?? element.name).text,
        });
    }
    const configImported =
      file === CONFIG_FILE ||
      [...imports].some(
        ([local, i]) =>
          local === 'config' && i.module.startsWith('.') && resolve(dirname(file), i.module) === CONFIG_FILE,
      );
    const kinds = new Set<string>();
    let uncalled: string | undefined;
    const visit = (node: ts.Node) => {
      const member = memberName(node);
      const outer = uncalled;
      if (member !== undefined && !referenced.has(member)) uncalled ??= member;
      visitNode(node);
      uncalled = outer;
    };
    const visitNode = (node: ts.Node) => {
      const extra = uncalled ? { uncalled } : {};
      if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
        const imported = imports.get(node.expression.text);
        const argument = node.arguments?.[0];
        const tagged =
          argument !== undefined &&
          ts.isObjectLiteralExpression(argument) &&
          argument.properties.some(
            (p) => p.name !== undefined && /^(Tags|tags)$/.test(p.name.getText(source)),
          );
        if (imported && /Command$/.test(imported.name)) {
          if (imported.module in SERVICES)
            calls.push({
              sdk: imported.module,
              operation: imported.name.replace(/Command$/, ''),
              site: siteOf(node),
              file: path,
              tagged,
              ...extra,
            });
          else if (imported.module === '@aws-sdk/lib-dynamodb')
            calls.push({
              sdk: '@aws-sdk/client-dynamodb',
              operation: documentClientOperation(imported.name),
              site: siteOf(node),
              file: path,
              tagged,
              ...extra,
            });
          else if (imported.module.startsWith('@aws-sdk/client-'))
            throw new Error(
              `${siteOf(node)}: ${imported.module} is not in SERVICES (test/infra/aws/code.ts)`,
            );
        }
      }
      if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
        const imported = imports.get(node.expression.text);
        if (imported && imported.module in SERVICES) {
          const paginated = /^paginate(\w+)$/.exec(imported.name)?.[1];
          const operations = paginated
            ? [paginated]
            : /^wait(For|Until)\w+$/.test(imported.name)
              ? waiterOperations(imported.module, imported.name)
              : [];
          for (const operation of operations)
            calls.push({
              sdk: imported.module,
              operation,
              site: siteOf(node),
              file: path,
              tagged: false,
              ...extra,
            });
        }
      }
      if (
        configImported &&
        ts.isPropertyAccessExpression(node) &&
        ts.isIdentifier(node.expression) &&
        node.expression.text === 'config'
      )
        configReads.push({ getter: node.name.text, site: siteOf(node), ...extra });
      if (!uncalled && ts.isPropertyAssignment(node) && ts.isIdentifier(node.name)) {
        if (node.name.text === 'IndexName' && ts.isStringLiteral(node.initializer))
          indexNames.push({ name: node.initializer.text, site: siteOf(node) });
        if (/^(Put|Update|Delete|ConditionCheck)$/.test(node.name.text)) kinds.add(node.name.text);
      }
      ts.forEachChild(node, visit);
    };
    for (const statement of kept) visit(statement);
    if (kinds.size > 0) transactionKinds.set(path, kinds);
  }
  return { name, calls, configReads, indexNames, transactionKinds, bundled: bundledCommands(bundleText) };
};

/**
 * Bundles every handler and the CodeBuild jobs as they are deployed (same options, nothing
 * written) and reads what each can do.
 */
export const analyseCode = async (): Promise<EntryCode[]> => {
  const outdir = join(ROOT, '.aws-analysis');
  const runs: [BuildOptions, Record<string, string>][] = [
    [
      HANDLER_BUNDLE_OPTIONS,
      Object.fromEntries(handlerNames().map((name) => [name, join(HANDLERS_DIR, `${name}.ts`)])),
    ],
    [
      { ...AWS_BUNDLE_OPTIONS, sourcemap: 'external', metafile: true },
      { [JOBS_ENTRY]: join(ROOT, 'functions', 'builds', 'cli.ts') },
    ],
  ];
  const results = await Promise.all(
    runs.map(([options, entryPoints]) => build({ ...options, entryPoints, outdir, write: false })),
  );
  const entries: EntryCode[] = [];
  for (const result of results) {
    const outputs = new Map(result.outputFiles.map((file) => [file.path, file.text]));
    for (const [path, text] of outputs) {
      if (!path.endsWith('.mjs')) continue;
      const map = JSON.parse(outputs.get(`${path}.map`) ?? 'null') as {
        sources: string[];
        sourcesContent: string[];
        mappings: string;
      } | null;
      if (!map) throw new Error(`esbuild wrote no source map for ${path}`);
      const absolute = map.sources.map((s) => resolve(dirname(path), s));
      const sources = new Map(absolute.map((file, i) => [file, map.sourcesContent[i] ?? '']));
      const reached = new Map([...mappedLines(map)].map(([index, lines]) => [absolute[index] ?? '', lines]));
      entries.push(analyseEntry(relative(outdir, path).replace(/\.mjs$/, ''), text, sources, reached));
    }
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name));
};

/**
 * Where the source and the bundle disagree: an operation the source constructs that the
 * bundle lacks (the scan is wrong), or a bundled command no call site explains (the scan
 * misses one). Empty when the two agree.
 */
export const crossCheck = (entry: EntryCode): string[] => {
  const problems: string[] = [];
  const fromSource = new Map<string, Set<string>>();
  for (const call of entry.calls) {
    const client = SERVICES[call.sdk]?.client ?? call.sdk;
    addTo(fromSource, client, call.operation);
    if (!entry.bundled.get(client)?.has(call.operation))
      problems.push(
        `${entry.name}: ${call.site} sends ${call.operation} (${client}), but the bundle has no such command`,
      );
  }
  for (const [client, operations] of entry.bundled) {
    if (CREDENTIAL_CHAIN_CLIENT.test(client) && entry.name === JOBS_ENTRY) continue;
    for (const operation of operations) {
      if (fromSource.get(client)?.has(operation)) continue;
      if (BUNDLED_NOT_SENT.some((n) => n.client === client && n.operation === operation)) continue;
      problems.push(
        `${entry.name}: the bundle holds ${client}'s ${operation}Command, but no kept call site constructs it`,
      );
    }
  }
  return problems;
};
