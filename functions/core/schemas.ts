import * as z from 'zod';

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
