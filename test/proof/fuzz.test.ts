import { randomInt } from 'node:crypto';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { allOperations } from '../../functions/http/openapi.ts';
import { ROUTES, routeKey } from '../../functions/http/routes.ts';
import { gatewayUrl } from '../helpers.ts';
import { changes, makeFuzzContext, snapshot } from './fuzz/fixtures.ts';
import { describeExchange, judge } from './fuzz/judge.ts';
import { type RawResponse, sendRaw } from './fuzz/raw-http.ts';
import {
  type Built,
  build,
  carriesMarker,
  type FuzzContext,
  type Planned,
  planFor,
  unroutedPlan,
  useContext,
} from './fuzz/requests.ts';

/**
 * Property-based fuzzing of the whole HTTP surface, generated from the route table and the
 * routes' zod schemas: a route added to `ROUTES` (with its schemas in an `*_API` group) is
 * fuzzed without a line here. Every answer must hold the properties in `fuzz/judge.ts`; after
 * the run, the resources that only ever received requests that must fail read back
 * byte-identical.
 *
 * Reproduce a run: `FUZZ_SEED=<seed> npx vitest run test/proof/fuzz.test.ts` (the seed is
 * printed first). `FUZZ_RUNS` sets the batches per route (default 16, of 4 to 12 requests: with 69 routes, about 9,000 requests a run).
 */

/** A whole number from 0 to 2^31 - 1, as fast-check takes it. */
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : randomInt(2 ** 31);
if (!Number.isInteger(SEED) || SEED < 0 || SEED >= 2 ** 31)
  throw new Error(`FUZZ_SEED must be a whole number from 0 to ${2 ** 31 - 1}, not ${process.env.FUZZ_SEED}`);
const RUNS = Number(process.env.FUZZ_RUNS ?? 16);
/** Each batch is sent at once; fast-check shrinks a failing one, and the report names the request. */
const BATCH = { minLength: 4, maxLength: 12 };
const MIN_REQUESTS = 5_000;
console.log(`FUZZ_SEED=${SEED} (FUZZ_RUNS=${RUNS} batches a route)`);

const CANARY = inject('canary');
const SPECS = allOperations();

const stats = {
  sent: 0,
  dropped: 0,
  byClass: {} as Record<string, number>,
  byStatus: {} as Record<number, number>,
};
const fiveHundreds: string[] = [];

let ctx: FuzzContext;
let before: Record<string, string>;

beforeAll(async () => {
  ctx = await makeFuzzContext(CANARY);
  useContext(ctx);
  before = await snapshot(ctx);
  // What is compared must not change by itself.
  expect(changes(before, await snapshot(ctx))).toEqual([]);
}, 90_000);

afterAll(() => {
  console.log(
    `fuzz: seed ${SEED}, ${stats.sent} requests sent (${stats.dropped} generated but not sent), by class ${JSON.stringify(stats.byClass)}, by status ${JSON.stringify(stats.byStatus)}, 5xx ${fiveHundreds.length}`,
  );
  for (const line of fiveHundreds.slice(0, 5)) console.log(`5xx: ${line}`);
});

const send = async (request: Built): Promise<RawResponse | Error> => {
  try {
    return await sendRaw(gatewayUrl(), request);
  } catch (error) {
    return error as Error;
  }
};

/** Sends a batch at once and checks every answer; throws with each offending exchange. */
const exercise = async (plans: Planned[]): Promise<void> => {
  const requests = plans
    .map((p) => build(p, SPECS))
    .filter((b): b is Built => {
      // A request carrying a marker could have it echoed back, or logged by a site and read back.
      const keep = b !== undefined && !carriesMarker(b);
      if (!keep) stats.dropped++;
      return keep;
    });
  const responses = await Promise.all(requests.map(send));
  const problems: string[] = [];
  for (const [i, request] of requests.entries()) {
    const response = responses[i] as RawResponse | Error;
    stats.sent++;
    if (response instanceof Error) {
      problems.push(`no answer\n  ${describeExchange(request, response)}`);
      continue;
    }
    const klass = `${Math.floor(response.status / 100)}xx`;
    stats.byClass[klass] = (stats.byClass[klass] ?? 0) + 1;
    stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1;
    if (response.status >= 500) fiveHundreds.push(describeExchange(request, response));
    const found = judge(request, response, [CANARY]);
    if (found.length > 0) problems.push(`${found.join('; ')}\n  ${describeExchange(request, response)}`);
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
};

const params = { seed: SEED, numRuns: RUNS, endOnFailure: false } as const;
const TIMEOUT = 120_000;

describe('every route of the table, from its schemas', () => {
  for (const route of ROUTES) {
    const key = routeKey(route);
    test.prop([fc.array(planFor({ route, spec: SPECS[key] }), BATCH)], params)(
      `${key}: no 5xx, errors in the envelope, nothing leaked`,
      exercise,
      TIMEOUT,
    );
  }
});

describe('paths and methods no route has', () => {
  test.prop([fc.array(unroutedPlan(), BATCH)], { ...params, numRuns: RUNS * 2 })(
    '404 and 405 in the envelope, nothing leaked',
    exercise,
    TIMEOUT,
  );
});

describe('after the run', () => {
  it('stored data that only saw requests that must fail reads back byte-identical', async () => {
    expect(changes(before, await snapshot(ctx))).toEqual([]);
  });

  it(`sent at least ${MIN_REQUESTS} requests, and none was answered 5xx`, () => {
    expect(fiveHundreds).toEqual([]);
    if (RUNS >= 16) expect(stats.sent).toBeGreaterThanOrEqual(MIN_REQUESTS);
  });
});
