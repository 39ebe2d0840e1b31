/** The audit trail's route (see `api-spec.ts`). */
import { AuditQuery } from '../core/audit/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const AUDIT_API = {
  'GET /audit': {
    summary: "The tenant's audit trail, newest first (cursor paging: pass nextCursor as cursor)",
    status: 200,
    query: AuditQuery,
  },
} as const satisfies Record<string, OperationSpec>;
