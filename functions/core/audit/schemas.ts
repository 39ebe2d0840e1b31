import * as z from 'zod';
import { QueryInt } from '../shared/schemas.ts';

/** Cursor paging only: `limit`, and the `cursor` the previous page gave as `nextCursor`. */
export const AuditQuery = z.strictObject({
  limit: QueryInt(1, 500).default(20),
  cursor: z.string().min(1).max(2048).optional(),
});
