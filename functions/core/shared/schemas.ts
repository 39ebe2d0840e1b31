/**
 * Request schemas shared by every API function, and the helpers the other schema modules use.
 * Each function's schemas live in their own module (`connectors/schemas.ts`,
 * `deployments/schemas.ts`): building a schema is a chain of calls a bundler must keep, so a
 * module boundary is what keeps the projects function free of deployment schemas and of the
 * cron parser.
 */
import * as z from 'zod';
import type { SortKey } from './listing.ts';

/** Connect's key rule, shared by projects, deployments and connectors. */
export const Key = z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'must be 2-256 characters of [A-Za-z0-9_-]');

/** A whole number in a query string, with errors that say what is wrong (not "received NaN"). */
export const QueryInt = (min: number, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number') })
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .meta({ description: `a whole number from ${min} to ${max}` });

/** Connect paging: limit (default 20, max 500), offset (max 10000), plus Slipway's opaque cursor. */
export const PageQuery = z.strictObject({
  limit: QueryInt(1, 500).default(20),
  offset: QueryInt(0, 10_000).default(0),
  cursor: z.string().min(1).max(2048).optional(),
});

/** A query parameter that may be repeated (`sort=a&sort=b`): always an array after parsing. */
export const repeatable = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));

/** Connect's `sort=<field> <asc|desc>`, repeatable, over the fields a listing allows. */
export const Sort = (fields: readonly [string, ...string[]]) =>
  repeatable(
    z
      .string()
      .regex(
        new RegExp(`^(${fields.join('|')})(\\s+(asc|desc))?$`),
        `must be '<field> asc|desc' with a field among ${fields.join(', ')}`,
      )
      .transform((s): SortKey => {
        const [field = '', direction] = s.trim().split(/\s+/);
        return { field, direction: direction === 'desc' ? 'desc' : 'asc' };
      }),
  );

export const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');
