export interface ListingRequest {
  limit: number;
  offset: number;
  sort?: SortKey[];
}

type FieldValue = string | number | undefined;

/**
 * Sorts and pages a listing held in memory (connector listings: a tenant has tens or hundreds
 * of connectors, never enough to need server-side sorting). Ties fall back to `id`, so pages
 * are stable from one request to the next.
 */
export const sortAndPage = <T extends { id: string }>(
  items: T[],
  request: ListingRequest,
  fields: Record<string, (item: T) => FieldValue>,
): Page<T> => {
  const sorts: SortKey[] = request.sort?.length ? request.sort : [{ field: 'createdAt', direction: 'asc' }];
  const compare = (a: FieldValue, b: FieldValue): number => {
    if (a === b) return 0;
    if (a === undefined) return 1;
    if (b === undefined) return -1;
    return a < b ? -1 : 1;
  };
  const sorted = [...items].sort((a, b) => {
    for (const { field, direction } of sorts) {
      const get = fields[field];
      const order = get ? compare(get(a), get(b)) : 0;
      if (order !== 0) return direction === 'desc' ? -order : order;
    }
    return compare(a.id, b.id);
  });
  return { results: sorted.slice(request.offset, request.offset + request.limit), total: items.length };
};

/** Every item of a cursor-paged listing, page after page (for listings known to be small). */
export const collectPages = async <T>(
  list: (page: PageRequest & { cursor?: string }) => Promise<Page<T>>,
  pageSize = 500,
): Promise<T[]> => {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: pageSize, offset: 0, ...(cursor ? { cursor } : {}) });
    out.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
};

export interface PageRequest {
  limit: number;
  offset: number;
  /** Opaque cursor from a previous page; when given, `offset` is ignored. */
  cursor?: string;
}

export interface Page<T> {
  results: T[];
  /** Total matching items (not computed for cursor pages). */
  total?: number;
  nextCursor?: string;
}

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}
