import type * as z from 'zod';
import { InvalidJsonInput, InvalidPathParam, InvalidQueryParam } from '../core/shared/errors.ts';

type Where = 'body' | 'query' | 'path';

/** Names the first offending field the way a client can act on it: `name`, `actions.0.version`. */
const describe = (error: z.ZodError): { field: string; message: string } => {
  const issue = error.issues[0];
  if (!issue) return { field: '(root)', message: 'invalid value' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { field: [...issue.path, key].join('.'), message: 'is not a known field' };
  }
  return { field: issue.path.length > 0 ? issue.path.join('.') : '(root)', message: issue.message };
};

/** Parses with zod and reports a failure in the dialect's terms (InvalidJsonInput, InvalidQueryParam…). */
export const parseInput = <T>(schema: z.ZodType<T>, value: unknown, where: Where): T => {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { field, message } = describe(result.error);
  if (where === 'query') throw new InvalidQueryParam(field, message);
  if (where === 'path') throw new InvalidPathParam(field, message);
  throw new InvalidJsonInput(`${field}: ${message}`, field);
};

/** Query strings as API Gateway's `rawQueryString`: repeated keys become arrays (`sort=a&sort=b`). */
export const parseQueryString = (raw: string | undefined): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [key, value] of new URLSearchParams(raw ?? '')) {
    const existing = out[key];
    out[key] =
      existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return out;
};
