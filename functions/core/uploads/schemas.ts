import * as z from 'zod';
import { MAX_UPLOAD_TTL_SECONDS } from './model.ts';

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
