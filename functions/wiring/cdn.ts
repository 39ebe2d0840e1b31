/** What caches hosted assets on AWS: the stack's CloudFront distribution. */
import { cloudFrontAssetsCache } from '../adapters/cdn/cloudfront-cache.ts';
import { config } from '../config.ts';
import type { HostedAssetsCache } from '../core/hosting/cache.ts';
import { HOSTED_ASSETS_PREFIX } from './hosted-names.ts';

export const hostedAssetsCache: HostedAssetsCache = cloudFrontAssetsCache(
  () => config.distributionId,
  HOSTED_ASSETS_PREFIX,
);
