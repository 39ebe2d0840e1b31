import { rm } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import type { BuildFiles } from '../../core/deployments/retention.ts';

/**
 * Builds of `npm start` live at `<workspace>/<deployment id>/<build id>/<application>` (the
 * local build job makes them there, and the hosting service runs applications in them).
 * Refuses an id that would climb out of the workspace.
 */
export const localBuildFiles = (workspaceDir: () => string): BuildFiles => ({
  async discard({ deploymentId, buildId }) {
    const root = resolve(workspaceDir());
    const dir = resolve(root, deploymentId, buildId);
    if (!dir.startsWith(`${root}${sep}${deploymentId}${sep}`) || dir === resolve(root, deploymentId))
      throw new Error('Refusing a build path outside the workspace');
    await rm(dir, { recursive: true, force: true });
  },
  async discardAll(deploymentId) {
    const root = resolve(workspaceDir());
    const dir = resolve(root, deploymentId);
    if (!dir.startsWith(`${root}${sep}`)) throw new Error('Refusing a build path outside the workspace');
    await rm(dir, { recursive: true, force: true });
  },
});
