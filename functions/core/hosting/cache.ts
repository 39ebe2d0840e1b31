import type { DeploymentStatusChanged } from '../shared/domain-events.ts';

/**
 * The statuses after which a CDN's copies of a deployment's hosted assets are stale: a deploy
 * (or redeploy, which rewrites the same paths) reached `Deployed`, or an undeploy removed the
 * deployment and its files.
 */
export const ASSETS_STALE_AFTER = ['Deployed', 'Removed'] as const;

/** A cache of hosted assets in front of their bucket (CloudFront on AWS; none locally). */
export interface HostedAssetsCache {
  /**
   * Drops what the cache holds of the deployment's assets. `reference` names the change: a
   * repeat of the same reference (a retried event) asks for nothing new.
   */
  invalidate(deploymentId: string, reference: string): Promise<void>;
}

/** Invalidates the deployment's assets when `event` made them stale; says whether it did. */
export const invalidateStaleAssets = async (
  cache: HostedAssetsCache,
  event: Pick<DeploymentStatusChanged, 'deploymentId' | 'operationId' | 'status'>,
): Promise<boolean> => {
  if (!(ASSETS_STALE_AFTER as readonly string[]).includes(event.status)) return false;
  await cache.invalidate(event.deploymentId, `${event.deploymentId}/${event.operationId}/${event.status}`);
  return true;
};
