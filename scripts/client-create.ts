/**
 * Creates an API client (OAuth2 client credentials) or, with `--store`, a store access
 * token (`X-Auth-Token`), and prints the secret once. Only its hash is stored.
 *
 *   npm run client:create -- --scopes "manage_project:shop view_connectors" [--name CI] [--tenant <id>]
 *   npm run client:create -- --store <store hash> --scopes "store_infrastructure_deployments_manage"
 *
 * Where it writes: the DynamoDB of a running `npm start` (found through the data dir), or the
 * data dir's database directly when nothing runs, or, when SLIPWAY_TABLE_NAME is set in the
 * environment, that table with the caller's AWS credentials (a deployed stack).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { connectToTable } from './local-table.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const usage = `Usage: npm run client:create -- --scopes "<scope> <scope>…" [--name <name>] [--tenant <tenant>] [--store <store hash>]`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(1);
};

const { values } = parseArgs({
  options: {
    scopes: { type: 'string' },
    name: { type: 'string' },
    tenant: { type: 'string' },
    store: { type: 'string' },
  },
  strict: true,
});

const scopes = values.scopes?.split(/[\s,]+/).filter(Boolean) ?? [];
if (scopes.length === 0) fail('--scopes is required.');
if (values.store !== undefined && !/^[a-z0-9]{1,32}$/.test(values.store))
  fail('--store must be a store hash of [a-z0-9].');

const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');

const main = async () => {
  const release = await connectToTable(dataDir, fail);
  try {
    const { deps } = await import('../functions/wiring/shared.ts');
    const { createApiClient, createStoreToken } = await import('../functions/core/auth/credentials.ts');
    const { readDevState } = await import('../functions/local/dev-setup.ts');
    const name = values.name ?? 'API client';

    if (values.store !== undefined) {
      const { token } = await createStoreToken(deps, { tenant: values.store, name, scopes });
      process.stdout.write(
        `Store hash: ${values.store}\nX-Auth-Token: ${token}\n(shown once; only its hash is stored)\n`,
      );
      return;
    }
    const tenant = values.tenant ?? readDevState(dataDir)?.tenant;
    if (!tenant) fail('No tenant: pass --tenant, or run `npm start` once to create the development tenant.');
    const { client, secret } = await createApiClient(deps, { tenant: tenant as string, name, scopes });
    process.stdout.write(
      `Client id: ${client.clientId}\nClient secret: ${secret}\nScopes: ${client.scopes.join(' ')}\n(the secret is shown once; only its hash is stored)\n`,
    );
  } finally {
    await release();
  }
};

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
