import * as z from 'zod';
import { isWellFormedScope } from './scopes.ts';

export const TokenRequest = z.object({
  grant_type: z.string().optional(),
  scope: z.string().max(4096).optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

/** RFC 7009 §2.1 and RFC 7662 §2.1: the token, and an optional hint of its kind. */
export const TokenCheckRequest = z.object({
  token: z.string({ error: 'is required' }).min(1, 'is required').max(4096),
  token_type_hint: z.string().max(64).optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

const ScopeName = z
  .string()
  .refine(isWellFormedScope, 'must be a scope name, optionally followed by :<projectKey>');

/** commercetools' `scope`: space-separated scope names. */
const ScopeList = z
  .string()
  .max(4096)
  .transform((s) => s.split(/\s+/).filter(Boolean))
  .pipe(z.array(ScopeName).min(1, 'must name at least one scope').max(100));

/** commercetools' APIClientDraft. */
export const ApiClientDraft = z.strictObject({
  name: z.string().min(1).max(256),
  scope: ScopeList,
  /** As commercetools allows: from one minute (60 s) to 48 hours (the default). */
  accessTokenValiditySeconds: z.int().min(60).max(172_800).optional(),
  deleteDaysAfterCreation: z.int().min(1).max(3650).optional(),
});
export type ApiClientDraft = z.output<typeof ApiClientDraft>;

/** A store token's draft (BigCommerce API accounts are named and scoped the same way). */
export const StoreTokenDraft = z.strictObject({
  name: z.string().min(1).max(256),
  scopes: z.array(ScopeName).min(1, 'must name at least one scope').max(100),
});
export type StoreTokenDraft = z.output<typeof StoreTokenDraft>;
