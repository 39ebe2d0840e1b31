/**
 * Where the operator scripts (`client:create`, `tenant:limits`) write: the DynamoDB of a running
 * `npm start` (found through the data dir), or the data dir's database directly when nothing
 * runs, or, when SLIPWAY_TABLE_NAME is set in the environment, that table with the caller's AWS
 * credentials (a deployed stack). Points the SDK there through the environment and returns a
 * function that releases anything it started.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runningStack } from '../functions/local/runtime-file.ts';

export const connectToTable = async (
  dataDir: string,
  fail: (message: string) => never,
): Promise<() => Promise<void>> => {
  if (process.env.SLIPWAY_TABLE_NAME) return async () => undefined;
  const stack = runningStack(dataDir);
  if ('running' in stack) {
    Object.assign(process.env, stack.running.env);
    return async () => undefined;
  }
  if (!existsSync(join(dataDir, 'dynamodb')))
    fail(`No Slipway data in ${dataDir}: run \`npm start\` once first.`);
  const { startDynamoDbLocal, ensureTable } = await import('../functions/local/dynamodb-local.ts');
  const { TABLE_NAME } = await import('../functions/local/stack.ts');
  const { loadOrCreateLocalCredentials } = await import('../functions/local/dev-setup.ts');
  // The data folder's own credentials: DynamoDB Local keeps one database per access key id.
  const credentials = loadOrCreateLocalCredentials(dataDir);
  const dynamodb = await startDynamoDbLocal({
    dbPath: join(dataDir, 'dynamodb'),
    accessKeyId: credentials.accessKeyId,
  });
  await ensureTable(dynamodb.endpoint, TABLE_NAME, credentials.accessKeyId);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    SLIPWAY_TABLE_NAME: TABLE_NAME,
  });
  return () => dynamodb.stop();
};
