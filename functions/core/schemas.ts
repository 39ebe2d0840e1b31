/**
 * Request schemas shared by every API function, and the helpers the other schema modules use.
 * Each function's schemas live in their own module (`connector-schemas.ts`,
 * `deployment-schemas.ts`): building a schema is a chain of calls a bundler must keep, so a
 * module boundary is what keeps the projects function free of deployment schemas and of the
 * cron parser.
 */
import * as z from 'zod';
import { INTEGRATION_TYPES } from './connector-model.ts';
import { MAX_UPLOAD_TTL_SECONDS } from './uploads.ts';

/** Connect's key rule, shared by projects, deployments and connectors. */
export const Key = z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'must be 2-256 characters of [A-Za-z0-9_-]');

/** First path segments the API itself uses: a project with such a key could not be addressed. */
export const RESERVED_PROJECT_KEYS = new Set([
  'projects',
  'connectors',
  'oauth',
  'health',
  'stores',
  'sites',
  'assets',
  'openapi.json',
]);

export const ProjectDraft = z.strictObject({
  key: Key.refine((k) => !RESERVED_PROJECT_KEYS.has(k.toLowerCase()), "is reserved by the API's own paths"),
  name: z.string().min(1).max(256).optional(),
  /** Slipway: the project's deployments fail on a failing postDeploy unless they say otherwise. */
  strictScripts: z.boolean().optional(),
});
export type ProjectDraft = z.infer<typeof ProjectDraft>;

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

export const TokenRequest = z.object({
  grant_type: z.string().optional(),
  scope: z.string().max(4096).optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

/** SHA-256 as S3 wants it (base64), accepted as base64 or hex. */
const Sha256 = z
  .string()
  .regex(
    /^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/,
    'must be a SHA-256 digest, base64 (44 characters) or hex (64)',
  )
  .transform((v) => (v.length === 64 ? Buffer.from(v, 'hex').toString('base64') : v));

export const UploadDraft = z.strictObject({
  contentType: z.literal('application/zip', { error: "must be 'application/zip'" }).optional(),
  size: z.number().int().min(1).optional(),
  sha256: Sha256.optional(),
  expiresInSeconds: z.number().int().min(60).max(MAX_UPLOAD_TTL_SECONDS).optional(),
});
export type UploadDraft = z.infer<typeof UploadDraft>;

/** A query parameter that may be repeated (`sort=a&sort=b`): always an array after parsing. */
export const repeatable = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

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

export const IntegrationTypeSchema = z.enum(INTEGRATION_TYPES);
