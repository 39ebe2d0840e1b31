/**
 * `npm run bench:gateway`: throughput of the local gateway's GET /health (event mapping,
 * middy pipeline, handler, result mapping) against a bare node:http server answering the
 * same JSON, one after the other in one run, same connections and duration. Writes the
 * result into BENCHMARKS.md. Target: ratio >= 0.5.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';

const CONNECTIONS = 10;
const AUTOCANNON_BIN = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

/** autocannon in its own process, so the load generator never shares the server's event loop or heap. */
const autocannon = (url: string, durationS: number): Promise<AutocannonResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [AUTOCANNON_BIN, '--json', '-c', String(CONNECTIONS), '-d', String(durationS), url],
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

interface AutocannonResult {
  requests: { average: number };
  latency: { p99: number };
  non2xx: number;
  errors: number;
}

const run = async (url: string) => {
  await autocannon(url, 2); // warm-up: module loading and JIT do not count
  const result = await autocannon(url, DURATION_S);
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99 };
};

const main = async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'slipway-bench-'));
  const { startLocalStack } = await import('../functions/local/stack.ts');
  const stack = await startLocalStack({
    dataDir,
    inMemory: true,
    port: 0,
    jwtKey: randomBytes(32).toString('base64'),
  });
  try {
    const gatewayUrl = `${stack.url}/health`;
    const body = await (await fetch(gatewayUrl)).text();
    const bare = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/health`;

    // Rounds alternate between the two servers and the median ratio is reported: on a 2-core
    // machine the bare server's own rate swings by a third from one run to the next.
    const rounds: { gateway: Awaited<ReturnType<typeof run>>; bare: Awaited<ReturnType<typeof run>> }[] = [];
    for (let i = 0; i < ROUNDS; i++)
      rounds.push({ gateway: await run(gatewayUrl), bare: await run(bareUrl) });
    bare.close();

    const ratios = rounds.map((r) => r.gateway.rps / r.bare.rps);
    const ratio = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)] ?? 0;
    const section = [
      '## Local gateway vs bare node:http (`npm run bench:gateway`)',
      '',
      `GET /health, ${CONNECTIONS} connections, ${ROUNDS} alternating rounds of ${DURATION_S} s per server after a 2 s warm-up each, autocannon in a separate process, measured ${new Date().toISOString().slice(0, 10)} on this machine (${process.version}, ${cpus().length} cores).`,
      '',
      '| round | local gateway req/s (p99 ms) | bare node:http req/s (p99 ms) | ratio |',
      '|---|---:|---:|---:|',
      ...rounds.map(
        (r, i) =>
          `| ${i + 1} | ${r.gateway.rps.toFixed(0)} (${r.gateway.p99}) | ${r.bare.rps.toFixed(0)} (${r.bare.p99}) | ${(ratios[i] ?? 0).toFixed(2)} |`,
      ),
      '',
      `**Median ratio: ${ratio.toFixed(2)}** (target >= 0.5). The gateway side is the whole path: event mapping, the handler bundle Lambda would run, its middy pipeline, result mapping. Health results are cached for 2 s (\`SLIPWAY_HEALTH_CACHE_MS\`), so the dependencies are not what is measured.`,
      '',
    ].join('\n');
    const file = join(import.meta.dirname, '..', 'BENCHMARKS.md');
    let current = '# Benchmarks\n\nEach section is rewritten by the command in its title.\n\n';
    try {
      current = readFileSync(file, 'utf8');
    } catch {
      // first run
    }
    const pattern = /## Local gateway vs bare node:http[\s\S]*?(?=\n## |$)/;
    writeFileSync(
      file,
      pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`,
    );
    process.stdout.write(`${section}\n`);
    if (ratio < 0.5) process.exitCode = 1;
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

await main();
