import * as z from 'zod';

export const TokenRequest = z.object({
  grant_type: z.string().optional(),
  scope: z.string().max(4096).optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});
