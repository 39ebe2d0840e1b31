import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import type { HostedAssetsCache } from '../../core/hosting/cache.ts';

let client: CloudFrontClient | undefined;

/**
 * Hosted assets cached by a CloudFront distribution, which serves the hosted-assets bucket at
 * the keys' paths: a deployment's files are under `/<prefix><deployment id>/`, so one wildcard
 * path drops them all (one path of the 1,000 free each month, whatever the number of files).
 */
export const cloudFrontAssetsCache = (distributionId: () => string, prefix: string): HostedAssetsCache => ({
  async invalidate(deploymentId, reference) {
    client ??= new CloudFrontClient({});
    await client.send(
      new CreateInvalidationCommand({
        DistributionId: distributionId(),
        InvalidationBatch: {
          // CloudFront answers a repeat of a reference with the invalidation it already made.
          CallerReference: reference,
          Paths: { Quantity: 1, Items: [`/${prefix}${encodeURIComponent(deploymentId)}/*`] },
        },
      }),
    );
  },
});
