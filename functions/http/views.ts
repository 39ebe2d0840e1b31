import type { Page, PageRequest, Project } from '../core/ports.ts';

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
