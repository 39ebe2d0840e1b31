/**
 * `npm run bench:gateway`: throughput of the local gateway's GET /health (event mapping,
 * middy pipeline, handler, result mapping) against a bare node:http server answering the
 * same JSON, one after the other in one run, same connections and duration. Writes the
 * result into BENCHMARKS.md. Target: ratio >= 0.5.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus } from 'node:os';
import { measure, median, withBenchStack, writeSection } from './lib.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';

const CONNECTIONS = 10;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

const run = (url: string) => measure(url, { connections: CONNECTIONS, durationS: DURATION_S });

const main = () =>
  withBenchStack(async (stack) => {
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
    const ratio = median(ratios);
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
    writeSection('## Local gateway vs bare node:http', section);
    if (ratio < 0.5) process.exitCode = 1;
  });

await main();
