import { awsHosting } from '../adapters/hosting/aws/hosting.ts';
import { localHosting } from '../adapters/hosting/local-hosting.ts';
import { config } from '../config.ts';
import { ApplicationHostingFailed } from '../core/hosting/errors.ts';
import type { ApplicationHosting } from '../core/hosting/ports.ts';
import { HOSTED_ASSETS_PREFIX, HOSTED_NAME_PREFIX } from './hosted-names.ts';

/**
 * A server with neither the local hosting service nor the AWS hosting settings refuses to
 * host and has nothing to stop.
 */
const unconfigured: ApplicationHosting = {
  async host(request) {
    throw new ApplicationHostingFailed(
      request.applicationName,
      'this server has no hosting runtime configured',
    );
  },
  async stop() {},
};

let chosen: ApplicationHosting | undefined;

/**
 * The hosting adapter configuration names: the local service of `npm start` when its URL is
 * set, Lambda and friends when the CDK stack gave the hosted roles' permissions boundary.
 */
export const configuredHosting: ApplicationHosting = {
  host: (request) => pick().host(request),
  stop: (target) => pick().stop(target),
};

/**
 * Chosen on first use. The AWS adapter is imported statically: esbuild cannot tree-shake a
 * dynamically imported module, and the SDK clients it brings were 80 KB larger that way.
 */
const pick = (): ApplicationHosting => {
  chosen ??= config.localHostingUrl
    ? localHosting(config.localHostingUrl, config.localHostingToken)
    : config.hostingRoleBoundaryArn
      ? awsHosting({
          bucket: config.bucketName,
          assetsBucket: config.assetsBucketName,
          roleBoundaryArn: config.hostingRoleBoundaryArn,
          schedulerRoleArn: config.hostingSchedulerRoleArn,
          webAdapterLayerArn: config.webAdapterLayerArn,
          assetsPrefix: HOSTED_ASSETS_PREFIX,
          assetsBaseUrl: config.assetsBaseUrl,
          ...(config.kmsKeyId ? { kmsKeyArn: config.kmsKeyId } : {}),
          ...(config.healthProbeArn ? { healthProbeArn: config.healthProbeArn } : {}),
          namePrefix: HOSTED_NAME_PREFIX,
        })
      : unconfigured;
  return chosen;
};
