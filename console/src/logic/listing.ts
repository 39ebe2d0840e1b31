/** Client-side filtering and paging of a listing the console has loaded whole. */

export const PAGE_SIZE = 20;

export interface PageView<T> {
  items: T[];
  /** 1-based, clamped to what exists. */
  page: number;
  pages: number;
  total: number;
}

export const pageOf = <T>(items: readonly T[], page: number, size: number = PAGE_SIZE): PageView<T> => {
  const pages = Math.max(1, Math.ceil(items.length / size));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  return {
    items: items.slice((current - 1) * size, current * size),
    page: current,
    pages,
    total: items.length,
  };
};

/** The items whose status is `status`; every item for `''` (no filter). */
export const withStatus = <T extends { status: string }>(items: readonly T[], status: string): T[] =>
  status === '' ? [...items] : items.filter((item) => item.status === status);

/** Counts per status, for the filter's labels ("Failed (2)"). */
export const countByStatus = <T extends { status: string }>(items: readonly T[]): Map<string, number> => {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return counts;
};
