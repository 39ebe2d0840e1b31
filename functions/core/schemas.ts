import * as z from 'zod';
import { MAX_UPLOAD_TTL_SECONDS } from './uploads.ts';

/** Connect's key rule, shared by projects, deployments and connectors. */
export const Key = z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'must be 2-256 characters of [A-Za-z0-9_-]');

export const ProjectDraft = z.strictObject({
  key: Key,
  name: z.string().min(1).max(256).optional(),
});
export type ProjectDraft = z.infer<typeof ProjectDraft>;

/** Connect paging: limit (default 20, max 500), offset (max 10000), plus Slipway's opaque cursor. */
export const PageQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(20),
  offset: z.coerce.number().int().min(0).max(10000).default(0),
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
