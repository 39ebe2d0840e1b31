import type { Project, ProjectRepository } from '../../core/projects/ports.ts';

/**
 * A warm function's memory of projects it has read, for `ttlMs`. A project's key and id never
 * change, and every deployment request starts by resolving the project, so this saves one
 * DynamoDB read per request (measured in BENCHMARKS.md). Only found projects are kept, so a
 * new project is seen at once; a deleted one may be seen for up to `ttlMs` by a warm function,
 * which then finds none of its deployments.
 */
export const cachedProjectRepository = (
  inner: ProjectRepository,
  ttlMs: number,
  maxEntries = 1000,
): ProjectRepository => {
  const cache = new Map<string, { project: Project; until: number }>();
  return {
    create: (project) => inner.create(project),
    list: (tenant, page) => inner.list(tenant, page),
    getById: (id) => inner.getById(id),
    delete: (project) => {
      cache.delete(`${project.tenant}\u0000${project.key}`);
      return inner.delete(project);
    },
    async get(tenant, key) {
      const id = `${tenant}\u0000${key}`;
      const hit = cache.get(id);
      if (hit && hit.until > Date.now()) return hit.project;
      const project = await inner.get(tenant, key);
      if (project) {
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value ?? '');
        cache.set(id, { project, until: Date.now() + ttlMs });
      } else {
        cache.delete(id);
      }
      return project;
    },
  };
};
