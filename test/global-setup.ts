import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import type { LocalStack } from '../functions/local/stack.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Base URL of the local gateway of the run's embedded stack. */
    gatewayUrl: string;
    /** The environment the stack's handlers run with (endpoints, table, key). */
    stackEnv: Record<string, string>;
    /** Every log line the stack's functions wrote during the run, DEBUG and up (JSON lines). */
    logFile: string;
    /** The domain events the in-process bus carried (JSON lines). */
    eventsFile: string;
    /**
     * A secret value tests give as secured configuration and as BigCommerce secret variables:
     * at the end of the run, no response of the gateway and no function log line may hold it.
     */
    canary: string;
  }
}

const canary = `canary-${randomBytes(12).toString('hex')}`;
/** Where the canary was seen in a response (tenants' own websites and assets apart: theirs to show). */
const canarySightings: string[] = [];

let stack: LocalStack | undefined;
let dataDir: string | undefined;
let logFile: string | undefined;

const LOUD = new Set(['WARN', 'ERROR', 'CRITICAL']);

/**
 * The functions run in this process, and Powertools writes one JSON line per log call to
 * stdout. Every such line goes to `logFile` (so tests can read what was logged, at DEBUG);
 * only warnings and errors still reach the terminal. Other output passes through untouched.
 */
const captureLogs = (logFile: string) => {
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const text =
        typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : undefined;
      const level = text?.startsWith('{') ? /"level":"([A-Z]+)"/.exec(text)?.[1] : undefined;
      if (text === undefined || level === undefined) return write(chunk, ...rest);
      appendFileSync(logFile, text.endsWith('\n') ? text : `${text}\n`);
      return LOUD.has(level) ? write(chunk, ...rest) : true;
    }) as typeof stream.write;
  }
};

/** One embedded stack per test run: in-memory DynamoDB Local, the S3 server, the SFN endpoint, the gateway. */
export const setup = async (project: TestProject) => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'DEBUG';
  // Streams close sooner than their 30 s and 60 s, so tests see them close and reconnect;
  // they look for news ten times a second.
  process.env.SLIPWAY_EVENT_STREAM_SECONDS ??= '2';
  process.env.SLIPWAY_LOG_TAIL_SECONDS ??= '3';
  process.env.SLIPWAY_STREAM_KEEPALIVE_SECONDS ??= '1';
  process.env.SLIPWAY_STREAM_POLL_MS ??= '100';
  // Webhooks go to receivers the tests run on 127.0.0.1, and retry in milliseconds, not minutes.
  process.env.SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK ??= 'true';
  process.env.SLIPWAY_WEBHOOKS_RETRY_SPEEDUP ??= '1000';
  process.env.SLIPWAY_HEALTH_INTERVAL_SCALE ??= '0.5'; // health checks twice as often (docs/health-checks.md)
  dataDir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  logFile = join(dataDir, 'functions.log');
  writeFileSync(logFile, '');
  captureLogs(logFile);
  const { startLocalStack } = await import('../functions/local/stack.ts');
  stack = await startLocalStack({
    dataDir,
    inMemory: true,
    port: 0,
    jwtKey: randomBytes(32).toString('base64'),
    delayOverrideMs: 0,
    // Tests run the reaper themselves; a build that hangs is given up on after 8 seconds.
    reaperIntervalMs: 0,
    webhookIntervalMs: 1_000,
    buildTimeoutSeconds: 8,
    workspaceDir: join(dataDir, 'workspaces'),
    // The shared stack runs the tests' own fixtures as the test runner's user; containment is
    // proven against \`npm start\` itself (test/proof/hostile.test.ts and every test that starts it).
    sandbox: 'none',
    // A replaced build stays warm for 30 s, not 10 minutes: long enough for the tests that roll
    // back at once, short enough that a run's hundreds of redeploys do not keep their processes.
    standbyMs: 30_000,
    observeResponses: (path, status, body) => {
      if (!path.startsWith('/sites/') && !path.startsWith('/assets/') && body.includes(canary))
        canarySightings.push(`${status} ${path.slice(0, 200)}`);
    },
  });
  project.provide('gatewayUrl', stack.url);
  project.provide('stackEnv', stack.env);
  project.provide('logFile', logFile);
  project.provide('eventsFile', stack.eventsFile);
  project.provide('canary', canary);
};

export const teardown = async () => {
  await stack?.stop();
  // The secrets canary, over the whole run: a sighting fails the run (vitest reports the error).
  const logged = logFile && existsSync(logFile) ? readFileSync(logFile, 'utf8').includes(canary) : false;
  if (canarySightings.length > 0 || logged) {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    throw new Error(
      `The secret canary leaked: ${logged ? 'in a function log line; ' : ''}in ${canarySightings.length} response(s): ${canarySightings.slice(0, 10).join('; ')}`,
    );
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
};
