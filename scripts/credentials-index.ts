/**
 * Gives API clients and store tokens made by an older version their place in their tenant's
 * listings, so `GET /api-clients`, `GET …/access-tokens` and DELETE by id find them (they
 * authenticate either way). Run once after upgrading a deployed stack; `npm start` does it on
 * every start by itself.
 *
 *   SLIPWAY_TABLE_NAME=<TableName> npm run credentials:index
 *
 * Where it writes: see scripts/local-table.ts. The caller's AWS credentials need
 * dynamodb:Scan and dynamodb:UpdateItem on the table.
 */
import { resolve } from 'node:path';
import { connectToTable } from './local-table.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const main = async () => {
  const release = await connectToTable(resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway'), fail);
  try {
    const { indexOlderCredentials } = await import('../functions/adapters/dynamodb/credential-index.ts');
    const { config } = await import('../functions/config.ts');
    const indexed = await indexOlderCredentials(config.tableName);
    process.stdout.write(`Indexed ${indexed} credential(s) of an older version.\n`);
  } finally {
    await release();
  }
};

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
