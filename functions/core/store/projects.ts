/**
 * Projects in the BigCommerce dialect: the same projects as Connect's (a store hash is a
 * tenant), addressed by uuid and named by `name` alone.
 *
 * A Slipway project needs a key (Connect addresses projects by key). A BigCommerce project's
 * key is its name in lower case: names are unique per store regardless of case, so the key's
 * uniqueness is the name's, enforced by the same conditional write; the project shows in the
 * Connect dialect under that key. A name with a `.` (allowed here, not in keys) gets `_` for
 * it and eight hex characters of the lower-case name's hash, so two names never share a key;
 * so does a name the API's own paths use as a key (`stores`, `projects`…).
 */
import * as z from 'zod';
import type { DeploymentRepository } from '../deployments/ports.ts';
import type { Project } from '../projects/ports.ts';
import { createProject, type ProjectDeps } from '../projects/projects.ts';
import { RESERVED_PROJECT_KEYS } from '../projects/schemas.ts';
import { DuplicateField, InvalidQueryParam, ResourceNotFound } from '../shared/errors.ts';
import { sha256Hex } from '../shared/ids.ts';
import { collectPages } from '../shared/listing.ts';
import { QueryInt } from '../shared/schemas.ts';

export const StoreProjectDraft = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{3,32}$/, 'must be 3-32 characters of A-Z, a-z, 0-9, "-", "_" and "."'),
  })
  .strict();
export type StoreProjectDraft = z.infer<typeof StoreProjectDraft>;

/** ISO 8601 (a date or a date and time) or Unix seconds, as BigCommerce's date filters take. */
const millisOf = (value: string): number => (/^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value));
const DateFilter = z
  .string()
  .refine((value) => !Number.isNaN(millisOf(value)), 'must be an ISO 8601 date or Unix seconds')
  .optional();

export const StoreProjectsQuery = z
  .object({
    limit: QueryInt(1, 250).default(50),
    after: z.string().min(1).optional(),
    before: z.string().min(1).optional(),
    'uuid:in': z
      .string()
      .regex(
        /^\s*[0-9a-fA-F-]{36}\s*(,\s*[0-9a-fA-F-]{36}\s*)*$/,
        'must be project uuids separated by commas',
      )
      .optional(),
    'name:like': z.string().min(1).optional(),
    'date_created:min': DateFilter,
    'date_created:max': DateFilter,
    'date_modified:min': DateFilter,
    'date_modified:max': DateFilter,
  })
  .strict();
export type StoreProjectsQuery = z.infer<typeof StoreProjectsQuery>;

const FILTERS = [
  'uuid:in',
  'name:like',
  'date_created:min',
  'date_created:max',
  'date_modified:min',
  'date_modified:max',
] as const;

export const keyForName = (name: string): string => {
  const lower = name.toLowerCase();
  return lower.includes('.') || RESERVED_PROJECT_KEYS.has(lower)
    ? `${lower.replaceAll('.', '_')}-${sha256Hex(lower).slice(0, 8)}`
    : lower;
};

/** A project named by the store; a name it has already (in any case) is a duplicate `name`. */
export const createStoreProject = async (
  deps: ProjectDeps,
  store: string,
  draft: StoreProjectDraft,
): Promise<Project> => {
  try {
    return await createProject(deps, store, { key: keyForName(draft.name), name: draft.name });
  } catch (error) {
    // BigCommerce projects have a name, not Connect's key: the duplicate is named as the client sent it.
    if (error instanceof DuplicateField) throw new DuplicateField('name', draft.name);
    throw error;
  }
};

/** A project of another store is reported exactly like a missing one. */
export const getStoreProject = async (deps: ProjectDeps, store: string, uuid: string): Promise<Project> => {
  const project = await deps.projects.getById(uuid);
  if (!project || project.tenant !== store)
    throw new ResourceNotFound(`The project '${uuid}' was not found.`);
  return project;
};

/** Every project of a store (a store holds tens of projects, not millions). */
const allProjects = (deps: ProjectDeps, store: string): Promise<Project[]> =>
  collectPages((page) => deps.projects.list(store, page));

const cursorOf = (p: Project) => Buffer.from(p.id).toString('base64url');

export interface CursorPage {
  projects: Project[];
  pagination: {
    count: number;
    per_page: number;
    start_cursor: string | null;
    end_cursor: string | null;
    links: { previous: string | null; next: string | null };
  };
}

/**
 * BigCommerce's cursor pagination over the store's projects, oldest first, filtered. A cursor
 * is a project's position (its uuid, opaque): `after` gives the page after it, `before` the
 * page before it; the links carry the filters.
 */
export const listStoreProjects = async (
  deps: ProjectDeps,
  store: string,
  query: StoreProjectsQuery,
): Promise<CursorPage> => {
  const uuids = query['uuid:in']?.split(',').map((u) => u.trim().toLowerCase());
  const like = query['name:like']?.toLowerCase();
  const within = (iso: string, min: string | undefined, max: string | undefined) => {
    const ms = Date.parse(iso);
    return (min === undefined || ms >= millisOf(min)) && (max === undefined || ms <= millisOf(max));
  };
  const matching = (await allProjects(deps, store))
    .filter(
      (p) =>
        (!uuids || uuids.includes(p.id)) &&
        (!like || p.name.toLowerCase().includes(like)) &&
        within(p.createdAt, query['date_created:min'], query['date_created:max']) &&
        within(p.lastModifiedAt, query['date_modified:min'], query['date_modified:max']),
    )
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));

  const positionOf = (param: 'after' | 'before') => {
    const cursor = query[param];
    if (cursor === undefined) return undefined;
    const index = matching.findIndex((p) => cursorOf(p) === cursor);
    if (index < 0) throw new InvalidQueryParam(param, 'is not a cursor of this listing');
    return index;
  };
  const after = positionOf('after');
  const before = positionOf('before');
  const start =
    after !== undefined ? after + 1 : before !== undefined ? Math.max(0, before - query.limit) : 0;
  const end = Math.min(before ?? matching.length, start + query.limit);
  const projects = matching.slice(start, end);

  const first = projects[0];
  const last = projects.at(-1);
  const link = (param: 'after' | 'before', project: Project) => {
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = query[name];
      if (value !== undefined) params.set(name, value);
    }
    params.set('limit', String(query.limit));
    params.set(param, cursorOf(project));
    return `?${params.toString()}`;
  };
  return {
    projects,
    pagination: {
      count: projects.length,
      per_page: query.limit,
      start_cursor: first ? cursorOf(first) : null,
      end_cursor: last ? cursorOf(last) : null,
      links: {
        previous: first && start > 0 ? link('before', first) : null,
        next: last && end < matching.length ? link('after', last) : null,
      },
    },
  };
};

/**
 * Which of `projects` are served at their address (a site deployment completed there):
 * BigCommerce lists a project's hostnames with it, and its CLI requires the field.
 */
export const servedProjects = async (
  deps: { deployments: Pick<DeploymentRepository, 'getSite'> },
  projects: Project[],
): Promise<Set<string>> => {
  const sites = await Promise.all(projects.map((p) => deps.deployments.getSite(p.id)));
  return new Set(projects.filter((_, i) => sites[i] !== undefined).map((p) => p.id));
};
