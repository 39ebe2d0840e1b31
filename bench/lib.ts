/** What the benchmarks share: autocannon in its own process, and rewriting their BENCHMARKS.md section. */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalStack } from '../functions/local/stack.ts';

const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

export interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number; p50: number };
  non2xx: number;
  errors: number;
}

/** autocannon in its own process, so the load generator never shares the server's event loop or heap. */
export const autocannon = (
  url: string,
  options: { connections: number; durationS: number; headers?: Record<string, string> },
): Promise<AutocannonResult> =>
  new Promise((resolve, reject) => {
    const headers = Object.entries(options.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}=${v}`]);
    const child = spawn(
      process.execPath,
      [
        AUTOCANNON_BIN,
        '--json',
        '-c',
        String(options.connections),
        '-d',
        String(options.durationS),
        ...headers,
        url,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out) as AutocannonResult)
        : reject(new Error(`autocannon exited ${code}`)),
    );
  });

/** A warm-up run that does not count, then the measured one; any non-2xx or error fails the benchmark. */
export const measure = async (
  url: string,
  options: { connections: number; durationS: number; headers?: Record<string, string> },
) => {
  await autocannon(url, { ...options, durationS: 2 });
  const result = await autocannon(url, options);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, p50: result.latency.p50 };
};

export const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Replaces (or appends) the section whose heading starts with `heading` in BENCHMARKS.md. */
export const writeSection = (heading: string, section: string) => {
  const file = join(import.meta.dirname, '..', 'BENCHMARKS.md');
  let current = '# Benchmarks\n\nEach section is rewritten by the command in its title.\n\n';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // first run
  }
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`${escaped}[\\s\\S]*?(?=\\n## |$)`);
  writeFileSync(
    file,
    pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`,
  );
  process.stdout.write(`${section}\n`);
};

/** Runs `use` against a fresh embedded stack (in-memory DynamoDB Local), stopped and removed afterwards. */
export const withBenchStack = async <T>(use: (stack: LocalStack) => Promise<T>): Promise<T> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  // One bench credential sends thousands of requests a second: far past the default rate
  // limits, which would measure 429s. They are raised, not removed: every request still counts.
  process.env.SLIPWAY_RATE_LIMIT_CREDENTIAL_REQUESTS ??= '100000000';
  process.env.SLIPWAY_RATE_LIMIT_TENANT_REQUESTS ??= '100000000';
  const { startLocalStack } = await import('../functions/local/stack.ts');
  const stack = await startLocalStack({
    dataDir,
    inMemory: true,
    port: 0,
    jwtKey: randomBytes(32).toString('base64'),
    workspaceDir: join(dataDir, 'workspaces'),
  });
  try {
    return await use(stack);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

/**
 * An admin token of `tenant` for a recorded client (a token holds only while its client exists);
 * the record's hash matches no secret, so nothing can obtain tokens with it.
 */
export const benchToken = async (
  deps: typeof import('../functions/wiring/auth.ts')['authDeps'],
  tenant: string,
): Promise<string> => {
  const { newClientId } = await import('../functions/core/shared/ids.ts');
  const clientId = newClientId();
  await deps.credentials.putClient({
    clientId,
    tenant,
    name: 'bench',
    scopes: ['admin'],
    secretHash: 'none',
    createdAt: new Date().toISOString(),
  });
  return deps.tokens.sign({ clientId, tenant, scopes: ['admin'] }, 3600);
};
