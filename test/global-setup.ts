import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
  }
}

let stack: LocalStack | undefined;
let dataDir: string | undefined;

/** One embedded stack per test run: in-memory DynamoDB Local, the S3 server, the SFN endpoint, the gateway. */
export const setup = async (project: TestProject) => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';
  dataDir = mkdtempSync(join(tmpdir(), 'slipway-test-'));
  const { startLocalStack } = await import('../functions/local/stack.ts');
  stack = await startLocalStack({
    dataDir,
    inMemory: true,
    port: 0,
    jwtKey: randomBytes(32).toString('base64'),
    delayOverrideMs: 0,
  });
  project.provide('gatewayUrl', stack.url);
  project.provide('stackEnv', stack.env);
};

export const teardown = async () => {
  await stack?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
};
