/**
 * Shows or sets one tenant's own limits (rate limits and quotas); what it does not set is the
 * configured default (docs/limits.md#rate-limits-and-quotas).
 *
 *   npm run tenant:limits -- --tenant <id> [--window-seconds N] [--credential-requests N]
 *                            [--tenant-requests N] [--concurrent-builds N] [--hosted-apps N]
 *   npm run tenant:limits -- --tenant <id> --reset        (back to the defaults)
 *   npm run tenant:limits -- --tenant <id>                (shows them)
 *
 * A BigCommerce store's tenant is its store hash. The values given are merged into what the
 * tenant has. Quotas apply to the next deploy at once; rate limits reach a warm function within
 * SLIPWAY_TENANT_LIMITS_CACHE_SECONDS (30 s by default).
 *
 * Where it writes: as `npm run client:create`, the DynamoDB of a running `npm start` (found
 * through the data dir), or the data dir's database when nothing runs, or, when
 * SLIPWAY_TABLE_NAME is set, that table with the caller's AWS credentials (a deployed stack).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LIMIT_NAMES, TenantLimitOverrides } from '../functions/core/limits/schemas.ts';
import { connectToTable } from './local-table.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** `credentialRequests` is given as `--credential-requests`. */
const optionOf = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

const usage = `Usage: npm run tenant:limits -- --tenant <id> [${LIMIT_NAMES.map((n) => `--${optionOf(n)} N`).join('] [')}] [--reset]`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n${usage}\n`);
  process.exit(1);
};

const parsed = (() => {
  try {
    return parseArgs({
      options: {
        tenant: { type: 'string' },
        reset: { type: 'boolean' },
        ...Object.fromEntries(LIMIT_NAMES.map((n) => [optionOf(n), { type: 'string' as const }])),
      },
      strict: true,
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
const values = parsed.values as Record<string, string | boolean | undefined>;
const tenant = values.tenant;
if (typeof tenant !== 'string' || tenant === '') fail('--tenant is required.');

const given: Record<string, number> = {};
for (const name of LIMIT_NAMES) {
  const raw = values[optionOf(name)];
  if (typeof raw === 'string') given[name] = Number(raw);
}
const checked = TenantLimitOverrides.safeParse(given);
if (!checked.success)
  fail(
    checked.error.issues
      .map((i) => `--${optionOf(String(i.path[0]))}: ${i.message} (a whole number; window at most 86400)`)
      .join('\n'),
  );
if (values.reset && Object.keys(given).length > 0) fail('--reset takes no values.');

const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');

const main = async () => {
  const release = await connectToTable(dataDir, fail);
  try {
    const { dynamoTenantLimitsRepository } = await import('../functions/adapters/dynamodb/tenant-limits.ts');
    const { tableNameFromConfig } = await import('../functions/wiring/system.ts');
    const { config } = await import('../functions/config.ts');
    const { effectiveLimits } = await import('../functions/core/limits/limits.ts');
    const repository = dynamoTenantLimitsRepository(tableNameFromConfig);
    const id = tenant as string;
    const own = values.reset ? {} : { ...(await repository.get(id)), ...given };
    if (values.reset || Object.keys(given).length > 0) await repository.set(id, own);
    const effective = effectiveLimits(config.tenantLimits, own);
    process.stdout.write(`Tenant: ${id}\n`);
    for (const name of LIMIT_NAMES)
      process.stdout.write(
        `${optionOf(name).padEnd(20)} ${String(effective[name]).padStart(10)}  ${name in own ? '(its own)' : '(default)'}\n`,
      );
  } finally {
    await release();
  }
};

main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
