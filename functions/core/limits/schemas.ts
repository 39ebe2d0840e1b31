/** The validation of a tenant's own limits (kept apart so what only reads limits bundles no zod). */
import * as z from 'zod';
import type { TenantLimitOverrides as Overrides, TenantLimits } from './limits.ts';

const positive = z.number().int().positive().max(1_000_000_000);

/** A tenant's own values, each optional: what is left out is the default. Unknown names are refused. */
export const TenantLimitOverrides = z.strictObject({
  windowSeconds: z.number().int().min(1).max(86_400).optional(),
  credentialRequests: positive.optional(),
  tenantRequests: positive.optional(),
  concurrentBuilds: positive.optional(),
  hostedApps: positive.optional(),
  credentials: positive.optional(),
});

/** The names an operator may set, in the order they are documented. */
export const LIMIT_NAMES = Object.keys(TenantLimitOverrides.shape) as (keyof TenantLimits)[];

/**
 * The tenant's values in a stored record: the known names only; a record whose values are out
 * of range counts as none (the defaults apply), so a bad write cannot lift or zero a limit.
 */
export const overridesOf = (record: Record<string, unknown> | undefined): Overrides | undefined => {
  if (!record) return undefined;
  const values = Object.fromEntries(
    LIMIT_NAMES.filter((name) => record[name] !== undefined).map((name) => [name, record[name]]),
  );
  const parsed = TenantLimitOverrides.safeParse(values);
  return parsed.success ? parsed.data : undefined;
};
