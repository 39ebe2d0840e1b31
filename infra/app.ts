/**
 * The CDK app. This is the foundation the AWS issue completes (KMS, nag checks, state
 * machines, alarms, the signing key in Secrets Manager); until then it synthesizes but is
 * not meant to be deployed. Stacks share one table schema and one route table with the
 * local stack.
 */
import { App } from 'aws-cdk-lib';
import type { RouteDefinition } from '../functions/http/routes.ts';
import { addNagChecks } from './nag.ts';
import { StatefulStack } from './stateful-stack.ts';
import { StatelessStack } from './stateless-stack.ts';

/** `routes` replaces the route table (tests); the stacks use `ROUTES` otherwise. */
export const buildApp = (
  app: App,
  options: { routes?: readonly RouteDefinition[] } = {},
): { stateful: StatefulStack; stateless: StatelessStack } => {
  const env = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION ?? 'us-east-1',
  };
  const dev = app.node.tryGetContext('dev') === 'true' || app.node.tryGetContext('dev') === true;
  const stateful = new StatefulStack(app, 'SlipwayStateful', { env, dev });
  const stateless = new StatelessStack(app, 'SlipwayStateless', {
    env,
    table: stateful.table,
    bucket: stateful.bucket,
    assetsBucket: stateful.hostedAssets,
    logBucket: stateful.logBucket,
    secretsKey: stateful.secretsKey,
    jwtKey: stateful.jwtKey,
    ...(options.routes ? { routes: options.routes } : {}),
  });
  return { stateful, stateless };
};

if (process.argv[1]?.endsWith('app.ts')) {
  const app = new App();
  buildApp(app);
  // cdk-nag: synth fails on any finding not acknowledged (with its reason) in infra/nag.ts.
  addNagChecks(app);
  app.synth();
}
