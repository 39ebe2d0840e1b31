import type { Page, PageRequest, PresignedUpload, Project, Upload } from '../core/ports.ts';

/** Wire shapes. The tenant is never shown: it is implied by the token. */
export const projectView = (p: Project) => ({
  id: p.id,
  key: p.key,
  name: p.name,
  version: p.version,
  createdAt: p.createdAt,
  lastModifiedAt: p.lastModifiedAt,
});

/** Connect's PagedQueryResponse, plus `nextCursor` (Slipway extension) for walking large listings. */
export const pagedResponse = <T, V>(request: PageRequest, page: Page<T>, view: (item: T) => V) => ({
  limit: request.limit,
  offset: request.cursor === undefined ? request.offset : undefined,
  count: page.results.length,
  total: page.total,
  results: page.results.map(view),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/** An upload as clients see it; the object key and tenant stay internal. */
export const uploadView = (u: Upload) => ({
  id: u.id,
  status: u.status,
  contentType: u.contentType,
  maxSize: u.maxSize,
  expiresAt: u.expiresAt,
  createdAt: u.createdAt,
  ...(u.declaredSize === undefined ? {} : { declaredSize: u.declaredSize }),
  ...(u.size === undefined ? {} : { size: u.size, etag: u.etag, uploadedAt: u.uploadedAt }),
  version: u.version,
});

/** The answer to an upload request: where to PUT, with exactly which headers, until when. */
export const uploadSignatureView = (u: Upload, presigned: PresignedUpload) => ({
  id: u.id,
  url: presigned.url,
  method: 'PUT' as const,
  headers: presigned.headers,
  expiresAt: u.expiresAt,
  maxSize: u.maxSize,
});
