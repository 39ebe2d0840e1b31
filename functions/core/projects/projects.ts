import type { Clock } from '../shared/clock.ts';
import { DuplicateField, ResourceNotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page, PageRequest } from '../shared/listing.ts';
import type { Project, ProjectRepository } from './ports.ts';
import type { ProjectDraft } from './schemas.ts';

export interface ProjectDeps {
  projects: ProjectRepository;
  clock: Clock;
}

export const createProject = async (
  deps: ProjectDeps,
  tenant: string,
  draft: ProjectDraft,
): Promise<Project> => {
  const now = deps.clock.now().toISOString();
  const project: Project = {
    id: newId(),
    key: draft.key,
    name: draft.name ?? draft.key,
    tenant,
    version: 1,
    ...(draft.strictScripts === undefined ? {} : { strictScripts: draft.strictScripts }),
    createdAt: now,
    lastModifiedAt: now,
  };
  try {
    await deps.projects.create(project);
  } catch (error) {
    // The SDK retries a write whose answer was lost (a timeout): the retry then finds what the
    // first attempt wrote. That is this project, not a duplicate.
    if (error instanceof DuplicateField && (await deps.projects.get(tenant, draft.key))?.id === project.id)
      return project;
    throw error;
  }
  return project;
};

/** A project of another tenant is reported exactly like a missing one (404), never 403. */
export const getProject = async (deps: ProjectDeps, tenant: string, key: string): Promise<Project> => {
  const project = await deps.projects.get(tenant, key);
  if (!project) throw new ResourceNotFound(`The project with key '${key}' was not found.`);
  return project;
};

export const listProjects = (deps: ProjectDeps, tenant: string, page: PageRequest): Promise<Page<Project>> =>
  deps.projects.list(tenant, page);
