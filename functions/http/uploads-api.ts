/** The uploads' routes: what each accepts and answers (see `api-spec.ts`). */
import { UploadDraft } from '../core/uploads/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const UPLOADS_API = {
  'POST /{projectKey}/uploads': {
    summary: 'Request a presigned upload URL for an artifact',
    status: 201,
    body: UploadDraft,
  },
  'GET /{projectKey}/uploads/{uploadId}': { summary: 'Get an upload and its state', status: 200 },
} as const satisfies Record<string, OperationSpec>;
