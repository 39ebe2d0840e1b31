import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomResource, Duration, type Stack } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { CONSOLE_PREFIX } from '../../functions/wiring/hosted-names.ts';
import { grantObjects, SlipwayFunction } from './slipway-function.ts';

const CONSOLE_DIR = join(import.meta.dirname, '..', '..', 'console');

/**
 * The console's release: a hash of its sources (and of its build), so the stack publishes it
 * again exactly when a deploy changes it. Read at synth time; the files themselves are built
 * into the publishing function's package (`scripts/build.ts`).
 */
export const consoleRelease = (): string => {
  const hash = createHash('sha256');
  const files = readdirSync(CONSOLE_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.(tsx?|css|json)$/.test(file))
    .sort();
  for (const file of files)
    hash
      .update(file)
      .update('\0')
      .update(readFileSync(join(CONSOLE_DIR, file)));
  return hash.digest('hex').slice(0, 16);
};

/**
 * The web console on AWS, served by the distribution at `/console/` from the hosted-assets
 * bucket (`console/` keys; infra/constructs/edge.ts has the behaviour). A custom resource runs
 * the `console-site` function on each deploy that changes the console: it writes the files
 * packaged with it and invalidates `/console/*`. One of Slipway's own functions rather than
 * CDK's BucketDeployment, whose Python function and AWS CLI layer would be the stack's only
 * code that is not Slipway's, tested and granted like the rest.
 */
export const addConsoleSite = (
  stack: Stack,
  props: { assetsBucket: IBucket; distribution: IDistribution },
): SlipwayFunction => {
  const publisher = new SlipwayFunction(stack, 'ConsoleSite', {
    handler: 'console-site',
    timeout: Duration.minutes(2),
  });
  grantObjects(props.assetsBucket, publisher.fn, { write: [`${CONSOLE_PREFIX}*`] });
  publisher.fn.addEnvironment('SLIPWAY_ASSETS_BUCKET_NAME', props.assetsBucket.bucketName);
  props.distribution.grantCreateInvalidation(publisher.fn);
  publisher.fn.addEnvironment('SLIPWAY_DISTRIBUTION_ID', props.distribution.distributionId);
  new CustomResource(stack, 'ConsoleRelease', {
    serviceToken: publisher.fn.functionArn,
    resourceType: 'Custom::SlipwayConsole',
    properties: { Release: consoleRelease() },
  });
  return publisher;
};
