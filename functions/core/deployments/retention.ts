/**
 * Build retention: a deployment keeps the files of its last N builds (the builds its newest
 * revisions ran; 10 by default, `SLIPWAY_KEEP_BUILDS`), so a rollback to any of them hosts
 * the build again without building. Older builds' files are removed by a scheduled job (the
 * reaper's run), never the build the deployment serves. Their revisions stay: a rollback to
 * one builds its connector version again.
 */

import type { DeploymentRevision } from './model.ts';
import type { DeploymentRepository, DeploymentRevisionRepository } from './ports.ts';
import { servedBuildId } from './revisions.ts';

/** Where built applications' files are: build directories locally, build objects on AWS. */
export interface BuildFiles {
  /** Removes the files one build (an operation's) left; removing what is gone is a no-op. */
  discard(target: { deploymentId: string; buildId: string }): Promise<void>;
  /** Removes every build file of a deployment that is gone. */
  discardAll(deploymentId: string): Promise<void>;
}

export interface RetentionDeps {
  deployments: Pick<DeploymentRepository, 'get' | 'list'>;
  revisions: DeploymentRevisionRepository;
  buildFiles: BuildFiles;
  settings: { keepBuilds: number };
}

/**
 * The builds to remove: those of revisions past the newest `keep` distinct builds, except the
 * one served. `revisions` are newest first; a rollback's revision shares its build with the
 * revision it restored, so a build counts once however many revisions ran it.
 */
export const buildsToDiscard = (
  revisions: Pick<DeploymentRevision, 'buildId' | 'buildKept'>[],
  keep: number,
  served: string | undefined,
): string[] => {
  const newest: string[] = [];
  for (const r of revisions) if (!newest.includes(r.buildId)) newest.push(r.buildId);
  const kept = new Set(newest.slice(0, Math.max(keep, 1)));
  if (served) kept.add(served);
  const discard = new Set<string>();
  for (const r of revisions) if (r.buildKept && !kept.has(r.buildId)) discard.add(r.buildId);
  return [...discard];
};

/** Applies retention to one deployment; returns the builds whose files it removed. */
export const pruneDeploymentBuilds = async (
  deps: RetentionDeps,
  projectId: string,
  deploymentId: string,
): Promise<string[]> => {
  const d = await deps.deployments.get(projectId, deploymentId);
  if (!d) {
    await deps.buildFiles.discardAll(deploymentId);
    return [];
  }
  const revisions = await deps.revisions.all(deploymentId);
  const discard = buildsToDiscard(revisions, deps.settings.keepBuilds, servedBuildId(d));
  for (const buildId of discard) await discardBuild(deps, deploymentId, buildId);
  if (d.supersededBy) await pruneSupersededSites(deps, projectId);
  return discard;
};

const discardBuild = async (deps: RetentionDeps, deploymentId: string, buildId: string) => {
  // Marked first: a revision never claims a build whose files may be going.
  await deps.revisions.markBuildDiscarded(deploymentId, buildId);
  await deps.buildFiles.discard({ deploymentId, buildId });
};

/** How far past the kept ones superseded deployments are looked at (each supersede runs this). */
const SUPERSEDED_WINDOW = 20;

/**
 * A project's address serves one deployment at a time, and the BigCommerce dialect makes a new
 * deployment for every deploy: of the deployments it replaced, the newest `keepBuilds` keep
 * their build for a promote; older ones' builds go (a promote builds them again).
 */
const pruneSupersededSites = async (deps: RetentionDeps, projectId: string) => {
  const keep = deps.settings.keepBuilds;
  const { results } = await deps.deployments.list(projectId, {
    limit: 2 * keep + SUPERSEDED_WINDOW,
    offset: 0,
    sort: [{ field: 'createdAt', direction: 'desc' }],
  });
  const superseded = results.filter((x) => x.site && x.supersededBy);
  for (const old of superseded.slice(keep, keep + SUPERSEDED_WINDOW)) {
    const buildId = servedBuildId(old);
    const last =
      old.lastRevision === undefined ? undefined : await deps.revisions.get(old.id, old.lastRevision);
    if (buildId && last?.buildKept) await discardBuild(deps, old.id, buildId);
  }
};

/**
 * The scheduled job: every deployment marked due (each successful deploy marks its own) has
 * its retention applied, then its mark removed. One that fails stays marked for the next run.
 */
export const pruneKeptBuilds = async (
  deps: RetentionDeps,
  limit = 100,
): Promise<{ deployments: number; discarded: number; errors: string[] }> => {
  const report = { deployments: 0, discarded: 0, errors: [] as string[] };
  for (const due of await deps.revisions.listRetentionDue(limit)) {
    try {
      report.discarded += (await pruneDeploymentBuilds(deps, due.projectId, due.deploymentId)).length;
      await deps.revisions.clearRetentionDue(due.deploymentId);
      report.deployments++;
    } catch (error) {
      report.errors.push(`${due.deploymentId}: ${(error as Error).message}`);
    }
  }
  return report;
};
