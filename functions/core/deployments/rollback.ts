/**
 * Rollback (Connect, 23 October 2026): a deployment's revision restored as a new version of it,
 * deployed like a redeploy (Queued → Deploying → Deployed, the project's lock, a new revision
 * recorded at the end). Slipway goes further than Connect: while the revision's build is kept
 * (`retention.ts`), the workflow hosts that build again and builds nothing; once it was
 * removed, the revision's connector version is built again, as Connect does.
 */
import { ConcurrentModification, InvalidField } from '../shared/errors.ts';
import { DeploymentRollbackNotAllowed } from './errors.ts';
import type { Deployment, DeploymentRevision, DeploymentStatus } from './model.ts';
import { type DeploymentDeps, type DeploymentRef, newOperation, writeAndStart } from './operations.ts';
import { getDeployment } from './queries.ts';
import { assertIfMatch } from './rules.ts';
import type { DeploymentRollback } from './schemas.ts';

const IN_PROGRESS_STATUSES: ReadonlySet<DeploymentStatus> = new Set(['Queued', 'Deploying', 'Undeploying']);

/**
 * Whether a revision whose build was removed can be built again: its artifact must still be
 * there. A deployment's own copy of an upload lives as long as the deployment, and a published
 * connector version's artifact is never removed; a staged connector's preview is replaced when
 * its draft changes.
 */
const rebuildable = async (deps: DeploymentDeps, d: Deployment, target: DeploymentRevision) => {
  const { connector } = target;
  if (connector.source.type === 'artifact') return undefined;
  if (connector.staged) {
    const draft = await deps.connectors.getDraft(d.tenant, connector.id);
    return draft?.previewObjectKey === connector.objectKey
      ? undefined
      : `revision ${target.revision}'s build was removed by retention, and the staged connector it deployed has changed since`;
  }
  const published = await deps.connectors.getConnector(connector.id, connector.version);
  return published
    ? undefined
    : `revision ${target.revision}'s build was removed by retention, and connector ${connector.key ?? connector.id} version ${connector.version} no longer exists to build it from`;
};

/**
 * POST …/deployments/{id}/rollback: at the current version (and `If-Match` when sent), from a
 * resting status, to a revision of this deployment. Scripts do not run unless `runScripts`.
 */
export const rollbackDeployment = async (
  deps: DeploymentDeps,
  tenant: string,
  projectKey: string,
  ref: DeploymentRef,
  draft: DeploymentRollback,
  ifMatch?: string,
): Promise<Deployment> => {
  const current = await getDeployment(deps, tenant, projectKey, ref);
  assertIfMatch(ifMatch, current.version);
  if (draft.version !== current.version) throw new ConcurrentModification(draft.version, current.version);
  if (IN_PROGRESS_STATUSES.has(current.status))
    throw new DeploymentRollbackNotAllowed(
      `the deployment is ${current.status}; roll back once its operation has finished`,
    );
  const target = await deps.revisions.get(current.id, draft.revision);
  if (!target)
    throw new InvalidField(
      'revision',
      draft.revision,
      current.lastRevision
        ? `the deployment's revisions are 1 to ${current.lastRevision}`
        : 'the deployment has no revision: it was never deployed',
    );
  if (!target.buildKept) {
    const refused = await rebuildable(deps, current, target);
    if (refused) throw new DeploymentRollbackNotAllowed(refused);
  }

  const now = deps.clock.now();
  const { globalConfiguration: _, restore: __, rollbackRevision: ___, supersededBy: ____, ...rest } = current;
  const next: Deployment = {
    ...rest,
    connector: target.connector,
    applications: target.applications,
    ...(target.globalConfiguration ? { globalConfiguration: target.globalConfiguration } : {}),
    version: current.version + 1,
    status: 'Queued',
    skipScripts: !draft.runScripts,
    rollbackRevision: target.revision,
    ...(target.buildKept ? { restore: { buildId: target.buildId, applications: target.builds } } : {}),
    details: newOperation({
      type: 'Information',
      title: `Rolling back to revision ${target.revision}`,
      message: target.buildKept
        ? `Its build ${target.buildId} is kept: it is hosted again without building.`
        : 'Its build was removed by retention: its connector version is built again.',
      createdAt: now.toISOString(),
    }),
    lastModifiedAt: now.toISOString(),
  };
  return writeAndStart(deps, next, current.version, 'deploy', now, current.status);
};
