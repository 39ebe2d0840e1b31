/** What the projects context needs from storage. Adapters implement it; the domain never imports an SDK. */
import type { Page, PageRequest } from '../shared/listing.ts';

export interface Project {
  id: string;
  key: string;
  name: string;
  tenant: string;
  version: number;
  /** Deployments' default for `strictScripts` (Slipway). */
  strictScripts?: boolean;
  createdAt: string;
  lastModifiedAt: string;
}

export interface ProjectRepository {
  /** Creates the project; throws `DuplicateField` when the tenant already has the key. */
  create(project: Project): Promise<void>;
  get(tenant: string, key: string): Promise<Project | undefined>;
  /** By its uuid, in any tenant (the caller checks the tenant). */
  getById(id: string): Promise<Project | undefined>;
  list(tenant: string, page: PageRequest): Promise<Page<Project>>;
  /** Removes the project (its key is free again); false when it was already gone. */
  delete(project: Project): Promise<boolean>;
}
