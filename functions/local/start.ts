/**
 * `npm start`: the whole service on loopback. Starts the embedded stack, makes sure the
 * development admin client exists, prints the ready lines, and stops every child process
 * on Ctrl-C or SIGTERM.
 */
import { chmodSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { DeploymentUsersError } from './deployment-users.ts';
import { JavaMissingError } from './dynamodb-local.ts';
import { RegionsSettingError } from './regions.ts';
import { removeRuntime, writeRuntime } from './runtime-file.ts';

// When whoever reads our output goes away (a closed pipe), writes fail with EPIPE; that must
// not turn into an uncaught exception loop, only into a shutdown.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');
const workspaceDir = process.env.SLIPWAY_WORKSPACE_DIR
  ? resolve(process.env.SLIPWAY_WORKSPACE_DIR)
  : undefined;
/** How often the reaper looks for operations whose workflow died (30 s by default). */
const reaperSeconds = process.env.SLIPWAY_REAPER_INTERVAL_SECONDS;
const port = Number(process.env.PORT ?? 3000);
/** Origins a browser console may call the API from; unset: CORS off (see functions/http/cors.ts). */
const corsOrigins = process.env.SLIPWAY_CORS_ORIGINS;

const fail = (message: string): never => {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
};

const assertPortFree = (p: number): Promise<void> =>
  new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'EADDRINUSE'
          ? `Port ${p} on 127.0.0.1 is already in use (is another \`npm start\` running?). Stop it, or start on another port: PORT=${p + 1} npm start`
          : `Cannot listen on 127.0.0.1:${p}: ${error.message}`,
      ),
    );
    probe.listen(p, '127.0.0.1', () => probe.close(() => resolvePort()));
  });

// Node 20 is end-of-life; say so once ourselves instead of the SDK's multi-line warning on every start.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const nodeMajor = Number(process.versions.node.split('.')[0]);

const main = async () => {
  if (nodeMajor < 22)
    process.stdout.write(
      `Note: Node ${process.versions.node} is end-of-life; Node 22 or newer is recommended.\n`,
    );
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    fail(`PORT must be a port number, got '${process.env.PORT}'`);
  if (reaperSeconds !== undefined && !/^[1-9]\d{0,5}$/.test(reaperSeconds))
    fail(`SLIPWAY_REAPER_INTERVAL_SECONDS must be a whole number of seconds, got '${reaperSeconds}'`);
  const { parseCorsOrigins } = await import('../http/cors.ts');
  let origins: string[] = [];
  try {
    origins = parseCorsOrigins(corsOrigins);
  } catch (error) {
    fail(`SLIPWAY_CORS_ORIGINS: ${(error as Error).message}`);
  }
  await assertPortFree(port);
  // Keys, the runtime record and every tenant's data live here: the owner's only, from the
  // first file on (no window in which a file is created readable by others).
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);

  const { loadOrCreateJwtKey, ensureDevAdmin, devStoreToken, indexOlderCredentialsOnStart } = await import(
    './dev-setup.ts'
  );
  const { startLocalStack } = await import('./stack.ts');
  process.stdout.write(`Starting Slipway (data in ${dataDir})…\n`);
  const stack = await startLocalStack({
    dataDir,
    port,
    jwtKey: loadOrCreateJwtKey(dataDir),
    ...(workspaceDir ? { workspaceDir } : {}),
    ...(reaperSeconds ? { reaperIntervalMs: Number(reaperSeconds) * 1000 } : {}),
    ...(origins.length > 0 ? { corsOrigins: origins } : {}),
  });

  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping Slipway…\n');
    removeRuntime(dataDir);
    await stack.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGHUP', () => void shutdown(0));
  process.on('uncaughtException', (error) => {
    process.stderr.write(`Fatal: ${error.stack ?? error.message}\n`);
    void shutdown(1);
  });

  // npm 11 exits on SIGTERM without passing it on, which would orphan this process (and,
  // through it, the JVM). When the parent goes away, shut down as if signalled.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) void shutdown(0);
  }, 500).unref();

  // Lets `npm run client:create` reach this instance's DynamoDB while it runs.
  writeRuntime(dataDir, { pid: process.pid, url: stack.url, env: stack.env });

  await indexOlderCredentialsOnStart();
  const admin = await ensureDevAdmin(dataDir);
  const store = await devStoreToken(dataDir, admin.tenant);
  process.stdout.write(
    [
      stack.sandbox.describe(),
      `Slipway ready at ${stack.url}`,
      `Admin client id: ${admin.clientId}`,
      `Admin client secret: ${admin.secret}`,
      `Admin token: ${admin.token}`,
      '',
      // The BigCommerce dialect, after the other ready lines (tools read them by their labels).
      `Store hash: ${store.storeHash}`,
      `Store token: ${store.token}`,
      '',
      // The same values under the names the README, the CLI and the examples use.
      'In another terminal, paste:',
      `  export SLIPWAY_URL=${stack.url} SLIPWAY_TOKEN=${admin.token}`,
      `  export CLIENT_ID=${admin.clientId} CLIENT_SECRET=${admin.secret}`,
      `  export STORE_HASH=${store.storeHash} STORE_TOKEN=${store.token}`,
      'Then try: curl -H "Authorization: Bearer $SLIPWAY_TOKEN" $SLIPWAY_URL/projects',
      '',
      'Press Ctrl-C to stop.',
      '',
    ].join('\n'),
  );
};

main().catch((error: unknown) => {
  if (
    error instanceof JavaMissingError ||
    error instanceof RegionsSettingError ||
    error instanceof DeploymentUsersError
  )
    fail(error.message);
  fail(`Slipway failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
});
