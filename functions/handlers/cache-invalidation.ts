import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { invalidateStaleAssets } from '../core/hosting/cache.ts';
import type { DeploymentStatusChanged } from '../core/shared/domain-events.ts';
import { logger } from '../http/logger.ts';
import { hostedAssetsCache } from '../wiring/cdn.ts';

/**
 * On AWS only (nothing caches hosted assets locally): a subscriber of the stack's bus that drops
 * the distribution's copies of a deployment's assets once it is deployed again or removed. A
 * failure throws, so EventBridge retries the event (the rule allows 8 retries).
 */
export const onStatusChanged = async (
  event: EventBridgeEvent<'DeploymentStatusChanged', DeploymentStatusChanged>,
) => {
  const invalidated = await invalidateStaleAssets(hostedAssetsCache, event.detail);
  if (invalidated)
    logger.info('hosted assets invalidated', {
      deploymentId: event.detail.deploymentId,
      status: event.detail.status,
    });
  return { invalidated };
};

export const handler = middy<EventBridgeEvent<'DeploymentStatusChanged', DeploymentStatusChanged>>({
  timeoutEarlyInMillis: 0,
}).handler(onStatusChanged);
