/** The console's publisher on AWS: packaged files, the hosted-assets bucket, the distribution. */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cloudFrontAssetsCache } from '../adapters/cdn/cloudfront-cache.ts';
import { packagedConsoleFiles } from '../adapters/console/packaged-files.ts';
import { consoleSiteBucket } from '../adapters/s3/console-site.ts';
import { config } from '../config.ts';
import type { ConsoleSitePorts } from '../core/console/publish.ts';
import { CONSOLE_PREFIX } from './hosted-names.ts';

// The console's paths are invalidated as a hosted-assets "deployment" named `console` at the
// bucket's root: one wildcard path, `/console/*`.
const cache = cloudFrontAssetsCache(() => config.distributionId, '');

export const consoleSitePorts: ConsoleSitePorts = {
  files: packagedConsoleFiles(dirname(fileURLToPath(import.meta.url))),
  ...consoleSiteBucket(() => config.assetsBucketName, CONSOLE_PREFIX),
  invalidate: (reference) => cache.invalidate(CONSOLE_PREFIX.slice(0, -1), reference),
};
