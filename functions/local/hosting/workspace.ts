import { readdirSync, rmSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { isDirectory } from './files.ts';
import type { StopTarget } from './types.ts';

/**
 * `<root>/<parts…>` (builds live at `<root>/<deploymentId>/<buildId>/<applicationName>`),
 * refusing anything that resolves outside the workspace root.
 */
const workspacePath = (root: string, ...parts: string[]): string => {
  const path = resolve(root, ...parts);
  if (!path.startsWith(root + sep)) throw new Error(`Refusing a path outside the hosting workspace: ${path}`);
  return path;
};

/** Throws when an id of `target` climbs out of the workspace: checked before anything is stopped. */
export const checkWorkspaceTarget = (root: string, target: StopTarget): void => {
  workspacePath(root, target.deploymentId);
  for (const build of [target.buildId, target.exceptBuildId])
    if (build !== undefined) workspacePath(root, target.deploymentId, build);
};

/**
 * Removes the build directories `target` names: the deployment's, the one of `buildId` (even
 * when nothing of it was hosted: a failed build leaves its workspace), or all but `exceptBuildId`'s.
 */
export const removeWorkspaces = (root: string, target: StopTarget): void => {
  const deploymentDir = workspacePath(root, target.deploymentId);
  if (target.buildId === undefined && target.exceptBuildId === undefined) {
    rmSync(deploymentDir, { recursive: true, force: true });
  } else if (target.buildId !== undefined) {
    if (target.buildId !== target.exceptBuildId)
      rmSync(workspacePath(root, target.deploymentId, target.buildId), { recursive: true, force: true });
  } else if (isDirectory(deploymentDir)) {
    // Every other build's workspace, failed builds' included: the kept build is the live one.
    for (const build of readdirSync(deploymentDir))
      if (build !== target.exceptBuildId)
        rmSync(workspacePath(root, target.deploymentId, build), { recursive: true, force: true });
  }
};
