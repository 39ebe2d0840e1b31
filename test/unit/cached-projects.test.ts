import { afterEach, describe, expect, it, vi } from 'vitest';
import { cachedProjectRepository } from '../../functions/adapters/cache/cached-projects.ts';
import type { Project, ProjectRepository } from '../../functions/core/projects/ports.ts';

const project: Project = {
  id: 'p1',
  key: 'shop',
  name: 'Shop',
  tenant: 't1',
  version: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastModifiedAt: '2026-01-01T00:00:00.000Z',
};

/** A repository that counts its reads (the decorator's only job is to save some). */
const counting = (found: Project | undefined) => {
  const inner: ProjectRepository = {
    create: async () => undefined,
    list: async () => ({ results: [] }),
    getById: async () => undefined,
    delete: async () => true,
    get: vi.fn(async () => found),
  };
  return inner;
};

describe('cached project reads', () => {
  afterEach(() => vi.useRealTimers());

  it('reads a project once while it is fresh, again once the entry has expired', async () => {
    vi.useFakeTimers();
    const inner = counting(project);
    const cached = cachedProjectRepository(inner, 10_000);

    await cached.get('t1', 'shop');
    await cached.get('t1', 'shop');
    vi.advanceTimersByTime(10_001);
    await cached.get('t1', 'shop');

    expect(inner.get).toHaveBeenCalledTimes(2);
  });

  it('never remembers a missing project, so a new one is seen at once', async () => {
    const inner = counting(undefined);
    const cached = cachedProjectRepository(inner, 10_000);

    expect(await cached.get('t1', 'shop')).toBeUndefined();
    expect(await cached.get('t1', 'shop')).toBeUndefined();
    expect(inner.get).toHaveBeenCalledTimes(2);
  });

  it('keeps tenants apart and its size bounded', async () => {
    const inner = counting(project);
    const cached = cachedProjectRepository(inner, 10_000, 2);

    await cached.get('t1', 'shop');
    await cached.get('t2', 'shop');
    await cached.get('t3', 'shop');
    await cached.get('t1', 'shop');

    expect(inner.get).toHaveBeenCalledTimes(4);
  });
});

describe('a deleted project', () => {
  it('is forgotten by the cache at once, so the next read asks the table', async () => {
    const inner = counting(project);
    const cached = cachedProjectRepository(inner, 60_000);
    await cached.get(project.tenant, project.key);

    await cached.delete(project);
    await cached.get(project.tenant, project.key);

    expect(inner.get).toHaveBeenCalledTimes(2);
  });
});
