/**
 * Deployments in the BigCommerce dialect: the same deployments as Connect's (they show in both
 * dialects), made straight from a store's upload with the Catalyst bundle convention
 * (`artifacts.ts`), served at the project's one address and reported as BigCommerce reports
 * them: a status, the step trail with progress, a numeric error code, and (Slipway) the
 * error in words.
 */
import * as z from 'zod';
import type { Principal } from '../auth/principal.ts';
import { createDeployment } from '../deployments/create.ts';
import { DeploymentInProgress } from '../deployments/errors.ts';
import type { Deployment } from '../deployments/model.ts';
import type { DeploymentDeps } from '../deployments/operations.ts';
import { deleteDeployment } from '../deployments/update.ts';
import { ResourceNotFound } from '../shared/errors.ts';
import { collectPages } from '../shared/listing.ts';
import { OUTPUT_APPLICATION } from '../uploads/artifacts.ts';
import { assertStoreUuid } from './deployment-states.ts';
import { StoreDeploymentInProgress, StoreFilterRequired, StoreProjectBusy } from './errors.ts';
import { getStoreProject } from './projects.ts';

/**
 * An environment variable's name: what a shell accepts, at least two characters, and none of
 * the names the hosting runtime sets itself (connect.yaml's rules, which the synthesized
 * specification of a Catalyst bundle goes through, refuse them too).
 */
const RESERVED_ENVIRONMENT = /^(PORT|K_SERVICE|K_REVISION|K_CONFIGURATION)$/i;
const EnvironmentKey = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]{1,255}$/,
    'must be 2-256 characters: a letter or "_", then letters, digits and "_"',
  )
  .refine((key) => !RESERVED_ENVIRONMENT.test(key), 'is set by the hosting runtime itself');

export const StoreDeploymentDraft = z.strictObject({
  upload_uuid: z.uuid(),
  project_uuid: z.uuid(),
  environment_variables: z
    .array(
      z.strictObject({
        type: z.enum(['plain_text', 'secret']),
        key: EnvironmentKey,
        value: z.string().max(32_768),
      }),
    )
    .max(200)
    .superRefine((vars, ctx) => {
      const seen = new Set<string>();
      for (const [i, v] of vars.entries()) {
        if (seen.has(v.key))
          ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `repeats '${v.key}'` });
        seen.add(v.key);
      }
    })
    .optional(),
});
export type StoreDeploymentDraft = z.infer<typeof StoreDeploymentDraft>;

/**
 * POST /deployments: the upload deployed to the project's address. `plain_text` variables are
 * standard configuration, `secret` ones secured configuration (encrypted, never returned).
 */
export const createStoreDeployment = async (
  deps: DeploymentDeps,
  principal: Principal,
  draft: StoreDeploymentDraft,
): Promise<Deployment> => {
  const project = await getStoreProject(deps, principal.tenant, draft.project_uuid);
  const vars = draft.environment_variables ?? [];
  const values = (type: 'plain_text' | 'secret') =>
    vars.filter((v) => v.type === type).map(({ key, value }) => ({ key, value }));
  const [region = ''] = deps.settings.regions;
  try {
    return await createDeployment(
      deps,
      principal,
      project.key,
      {
        region,
        artifact: { uploadId: draft.upload_uuid },
        configurations:
          vars.length === 0
            ? []
            : [
                {
                  applicationName: OUTPUT_APPLICATION,
                  standardConfiguration: values('plain_text'),
                  securedConfiguration: values('secret'),
                },
              ],
      },
      { uploadProjectKey: '', site: true, acceptPendingUpload: true },
    );
  } catch (error) {
    if (error instanceof DeploymentInProgress)
      throw new StoreDeploymentInProgress(String(error.details.activeDeploymentId));
    throw error;
  }
};

/** A deployment of the store, by uuid; another store's, or one whose project is gone, is missing. */
export const getStoreDeployment = async (
  deps: Pick<DeploymentDeps, 'deployments' | 'projects'>,
  store: string,
  uuid: string,
): Promise<Deployment> => {
  const d = await deps.deployments.getById(uuid);
  if (!d || d.tenant !== store || !(await deps.projects.getById(d.projectId)))
    throw new ResourceNotFound(`The deployment '${uuid}' was not found.`);
  return d;
};

/** Every deployment of a store's project, newest first (a project holds hundreds, not millions). */
export const listStoreDeployments = async (
  deps: DeploymentDeps,
  store: string,
  projectUuid: string,
): Promise<Deployment[]> => {
  const project = await getStoreProject(deps, store, projectUuid);
  return collectPages((page) =>
    deps.deployments.list(project.id, { ...page, sort: [{ field: 'createdAt', direction: 'desc' }] }),
  );
};

/**
 * DELETE of a project: refused while one of its deployments is in progress; otherwise the
 * deployment served at its address is undeployed (the undeploy workflow stops it and removes
 * it) and the project is deleted at once, so its name is free again. Deployments made in the
 * Connect dialect are that dialect's to delete.
 */
export const deleteStoreProject = async (
  deps: DeploymentDeps,
  store: string,
  uuid: string,
): Promise<void> => {
  const project = await getStoreProject(deps, store, uuid);
  const lock = await deps.deployments.getLock(project.id);
  if (lock && Date.parse(lock.leaseExpiresAt) > deps.clock.now().getTime())
    throw new StoreProjectBusy(project.id, lock.deploymentId);
  const site = await deps.deployments.getSite(project.id);
  const served = site && (await deps.deployments.get(project.id, site.deploymentId));
  if (served && served.status !== 'Undeploying')
    await deleteDeployment(deps, store, project.key, { id: served.id });
  await deps.projects.delete(project);
};

/** The bulk DELETE: every listed project of the store; uuids of no project of the store are skipped. */
export const deleteStoreProjects = async (
  deps: DeploymentDeps,
  store: string,
  uuids: string | undefined,
): Promise<void> => {
  const list = (uuids ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  if (list.length === 0) throw new StoreFilterRequired('project_uuid:in');
  for (const uuid of list) {
    try {
      await deleteStoreProject(deps, store, assertStoreUuid(uuid, 'project_uuid:in'));
    } catch (error) {
      if (!(error instanceof ResourceNotFound)) throw error;
    }
  }
};
