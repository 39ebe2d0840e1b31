import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpRoute,
  HttpRouteKey,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FunctionUrlAuthType, type IFunctionUrl, InvokeMode } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { EVENT_SOURCE } from '../functions/adapters/events/eventbridge-bus.ts';
import { CONNECT_REGIONS, parseRegionList } from '../functions/core/deployments/regions.ts';
import { ASSETS_STALE_AFTER } from '../functions/core/hosting/cache.ts';
import { UPLOAD_KEY_PATTERN } from '../functions/core/uploads/uploads.ts';
import {
  type ApiFunctionName,
  AUTHORIZER_FUNCTION,
  DEFAULT_ROUTE_FUNCTION,
  methodsOf,
  ROUTES,
  type RouteDefinition,
  routeKey,
} from '../functions/http/routes.ts';
import { addAlarms } from './alarms.ts';
import { API_TABLE_ACCESS } from './api-table-access.ts';
import { ARTIFACT_KEYS, DEPLOYABLE_ARTIFACTS } from './constructs/artifact-keys.ts';
import { addConsoleSite } from './constructs/console-site.ts';
import { Edge, pathPatternOf, type StreamingOrigin } from './constructs/edge.ts';
import { Hosting } from './constructs/hosting.ts';
import { SlipwayFunction } from './constructs/slipway-function.ts';
import { Webhooks } from './constructs/webhooks.ts';
import { Workflows } from './constructs/workflows.ts';
import { corsOriginsOf, functionUrlCors, httpApiCors } from './cors.ts';
import { stageThrottle } from './throttling.ts';

export interface StatelessStackProps extends StackProps {
  table: ITableV2;
  bucket: IBucket;
  /** Where assets applications are hosted, served by the distribution. */
  assetsBucket: IBucket;
  /** Receives the distribution's standard logs. */
  logBucket: IBucket;
  secretsKey: IKey;
  jwtKey: ISecret;
  /** The route table (`ROUTES`); tests pass another to exercise what no route uses yet. */
  routes?: readonly RouteDefinition[];
}

/**
 * A streaming function's time limit: a ceiling, not a target. Its handler ends the stream
 * before it and the client reconnects (with Last-Event-ID); Lambda allows at most 15 minutes.
 */
const STREAMING_TIMEOUT = Duration.minutes(15);

/** The key the health check reads, which never exists (`S3_PROBE_KEY` of functions/adapters/health/dependencies.ts). */
const HEALTH_PROBE_KEY = 'health/probe';

/**
 * The regions deployments may name (`SLIPWAY_REGIONS`): the context value `regions`
 * (comma-separated, e.g. `-c regions=eu-west-1.aws,europe-west1.gcp`) when it is given,
 * otherwise this stack's own `<region>.aws` and every region Connect's clients offer. The
 * first is the one BigCommerce deployments (which name no region) are recorded in.
 */
const deploymentRegions = (scope: Construct): string[] => {
  const own = `${Stack.of(scope).region}.aws`;
  const context: unknown = scope.node.tryGetContext('regions');
  if (context === undefined) return parseRegionList([own, ...CONNECT_REGIONS].join(','));
  const regions = parseRegionList(Array.isArray(context) ? context.join(',') : String(context));
  if (regions.length === 0)
    throw new Error(
      `The CDK context value 'regions' names no region (got '${String(context)}'): give a comma-separated list, e.g. -c regions=${own},europe-west1.gcp, or leave it out for the default`,
    );
  return regions;
};

const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase());

/**
 * The API: an HTTP API (payload format 2.0, the same events the local gateway builds)
 * with one Lambda per route group, all built from the route table in
 * `functions/http/routes.ts`, and the same Lambda authorizer on every non-public route;
 * streaming routes on function URLs instead; a CloudFront distribution in front of both and
 * of the hosted assets (`constructs/edge.ts`), which is the URL users are given.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const routes = props.routes ?? ROUTES;
    const apiRoutes = routes.filter((route) => !route.streaming);
    const streamingRoutes = routes.filter((route) => route.streaming);

    const functions = new Map<ApiFunctionName, SlipwayFunction>();
    const functionFor = (name: ApiFunctionName) => {
      let fn = functions.get(name);
      if (!fn) {
        fn = new SlipwayFunction(this, pascal(name), { handler: name });
        functions.set(name, fn);
      }
      return fn;
    };

    // The authorizer resolves identity and never denies (see functions/http/authorizer-context.ts),
    // so it has no identity source and no cache: handlers answer 401/403 in the dialect's envelope.
    // It reads a store token by its hash (functions/core/auth/access.ts); bearer tokens need no table.
    const authorizerFn = new SlipwayFunction(this, 'Authorizer', { handler: AUTHORIZER_FUNCTION }).bindTable(
      props.table,
      ['GetItem', 'Query'],
    );
    // Who signs access tokens (the token endpoint) and who verifies them (the authorizer).
    for (const fn of [authorizerFn, functionFor('oauth-token')]) {
      props.jwtKey.grantRead(fn.fn);
      fn.fn.addEnvironment('SLIPWAY_JWT_SECRET_ARN', props.jwtKey.secretArn);
    }
    const authorizer = new HttpLambdaAuthorizer('Authorizer', authorizerFn.fn, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [],
      resultsCacheTtl: Duration.seconds(0), // revocation holds on the next request (docs/credentials.md)
    });

    // CORS only when the context names origins (infra/cors.ts).
    const corsOrigins = corsOriginsOf(this);
    const corsPreflight = httpApiCors(corsOrigins);
    this.api = new HttpApi(this, 'Api', {
      description: 'Slipway deployments API',
      createDefaultStage: false,
      ...(corsPreflight ? { corsPreflight } : {}),
    });
    // One access-log line per request (JSON, with the request id the functions log too).
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: stageThrottle(this),
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_MONTH }),
        ),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    new HttpRoute(this, 'CatchAllRoute', {
      httpApi: this.api,
      routeKey: HttpRouteKey.DEFAULT,
      integration: new HttpLambdaIntegration('CatchAll', functionFor(DEFAULT_ROUTE_FUNCTION).fn),
    });

    // A streaming handler answers through Lambda's response stream, which an HTTP API
    // integration cannot read: its function serves streaming routes only.
    const apiFunctions = new Set([DEFAULT_ROUTE_FUNCTION, ...apiRoutes.map((route) => route.function)]);
    const streamingUrls = new Map<ApiFunctionName, IFunctionUrl>();
    const streams: StreamingOrigin[] = [];
    for (const route of streamingRoutes) {
      if (apiFunctions.has(route.function))
        throw new Error(
          `${routeKey(route)} streams, but its function '${route.function}' also serves HTTP API routes`,
        );
      let url = streamingUrls.get(route.function);
      if (!url) {
        const fn = new SlipwayFunction(this, pascal(route.function), {
          handler: route.function,
          timeout: STREAMING_TIMEOUT,
        });
        functions.set(route.function, fn);
        // No authorizer is in this path: the handler authenticates the caller as the
        // authorizer does (the table is bound with the other functions below).
        props.jwtKey.grantRead(fn.fn);
        fn.fn.addEnvironment('SLIPWAY_JWT_SECRET_ARN', props.jwtKey.secretArn);
        // AWS_IAM: only the distribution (origin access control, SigV4) may call the URL.
        const cors = functionUrlCors(corsOrigins);
        url = fn.fn.addFunctionUrl({
          authType: FunctionUrlAuthType.AWS_IAM,
          invokeMode: InvokeMode.RESPONSE_STREAM,
          ...(cors ? { cors } : {}),
        });
        streamingUrls.set(route.function, url);
      }
      streams.push({ pathPattern: pathPatternOf(route.path), url });
    }

    for (const route of apiRoutes) {
      const fn = functionFor(route.function);
      const integration = new HttpLambdaIntegration(`${route.method}${route.path}`, fn.fn);
      // Every GET route answers HEAD too (the handler drops the body), through a twin route.
      for (const method of methodsOf(route)) {
        new HttpRoute(this, `${method}${pascal(route.path.replace(/[{}]/g, '').replaceAll('/', '-'))}`, {
          httpApi: this.api,
          routeKey: HttpRouteKey.with(route.path, HttpMethod[method]),
          integration,
          ...(route.scopes === null ? {} : { authorizer }),
        });
      }
    }

    for (const [name, fn] of functions) {
      // Users reach them through the distribution, whose ViewerHost function sets
      // X-Forwarded-Host (constructs/edge.ts): the addresses they return use it. A caller of the
      // HTTP API's own URL may send any value there; it changes only the addresses in its own
      // answers (nothing is cached), and a malformed one is ignored (functions/http/views.ts).
      fn.fn.addEnvironment('SLIPWAY_TRUST_FORWARDED_HOST', 'true');
      const actions = API_TABLE_ACCESS[name];
      if (actions.length > 0) fn.bindTable(props.table, actions);
    }
    // The health check reads a key that never exists: NoSuchKey (which needs the listing
    // permission) proves the bucket is there and readable (functions/adapters/health/dependencies.ts).
    functions.get('health')?.bindBucket(props.bucket, { read: [HEALTH_PROBE_KEY], list: true, absent: true });
    // Presigning an upload's PUT: the URL carries the function's permission (and S3 asks the
    // key for a data key under it).
    functions.get('uploads')?.bindBucket(props.bucket, { write: [ARTIFACT_KEYS.uploads] });
    // Consuming an upload checks it (head, a missing one reads as missing: list; its SHA-256)
    // and copies it under the connector.
    functions.get('connectors')?.bindBucket(props.bucket, {
      read: [ARTIFACT_KEYS.uploads],
      write: [ARTIFACT_KEYS.connectorArtifacts],
      list: true,
    });

    // The workflows: their Lambda steps, state machines and CodeBuild projects.
    // Reading an artifact (S3, zip) and parsing its connect.yaml are separate functions: the
    // two together would not fit the bundle budget (see functions/core/uploads/artifacts.ts).
    // It reads the deployment and its claimed upload and records its step (the deployment's
    // update and lock); it copies the upload to the deployment's own key (checked first: a
    // missing key reads as missing, list), and reads a connector's artifact or source, or a
    // failed clone's message.
    const artifactReader = new SlipwayFunction(this, 'ArtifactReader', {
      handler: 'artifact-reader',
      timeout: Duration.minutes(5),
    })
      .bindTable(props.table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'])
      .bindBucket(props.bucket, {
        read: [ARTIFACT_KEYS.uploads, ...DEPLOYABLE_ARTIFACTS, ARTIFACT_KEYS.fetchFailures],
        write: [ARTIFACT_KEYS.deploymentArtifacts],
        list: true,
      });
    // It reads the draft and writes the check's outcome (a put, or the publish transaction's puts).
    const connectorPublisher = new SlipwayFunction(this, 'ConnectorPublisher', {
      handler: 'connector-publisher',
      timeout: Duration.minutes(1),
    }).bindTable(props.table, ['GetItem', 'Query', 'PutItem']);
    // It reads the deployment, records its step and writes what the artifact declares.
    const deploymentPrepare = new SlipwayFunction(this, 'DeploymentPrepare', {
      handler: 'deployment-prepare',
      timeout: Duration.minutes(1),
    }).bindTable(props.table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem']);
    // Status changes release the lock (a delete) and removal counts down (an update); failures
    // and hosting write the deployment's logs (batches). Hosting reads the builds (`hosting.bind`).
    const deploymentSteps = new SlipwayFunction(this, 'DeploymentSteps', {
      handler: 'deployment-steps',
      timeout: Duration.minutes(10),
    }).bindTable(props.table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);
    deploymentSteps.bindSecrets(props.secretsKey, 'open');
    functionFor('deployments').bindSecrets(props.secretsKey, 'seal');
    functions.get('store-deployments')?.bindSecrets(props.secretsKey, 'seal');
    const workflows = new Workflows(this, 'Workflows', {
      table: props.table,
      bucket: props.bucket,
      secretsKey: props.secretsKey,
      artifactReader,
      connectorPublisher,
      deploymentPrepare,
      deploymentSteps,
    });
    // A connector check starts the publish workflow and asks how its execution is doing.
    functionFor('connectors').bindStateMachine(
      workflows.publish,
      'SLIPWAY_PUBLISH_STATE_MACHINE_ARN',
      'track',
    );
    // The health check describes the deploy workflow: Step Functions answering is one of its probes.
    functions
      .get('health')
      ?.bindStateMachine(workflows.deploy, 'SLIPWAY_DEPLOY_STATE_MACHINE_ARN', 'describe');
    const regions = deploymentRegions(this).join(',');
    // The deployments API only starts the workflows: a cancel is a write the workflow notices.
    functionFor('deployments')
      .bindStateMachine(workflows.deploy, 'SLIPWAY_DEPLOY_STATE_MACHINE_ARN', 'start')
      .bindStateMachine(workflows.undeploy, 'SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN', 'start')
      .fn.addEnvironment('SLIPWAY_REGIONS', regions);
    // BigCommerce's deployments and project deletion start the same workflows.
    functions
      .get('store-deployments')
      ?.bindStateMachine(workflows.deploy, 'SLIPWAY_DEPLOY_STATE_MACHINE_ARN', 'start')
      .bindStateMachine(workflows.undeploy, 'SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN', 'start')
      .fn.addEnvironment('SLIPWAY_REGIONS', regions);

    // The reaper, every minute: finishes operations whose workflow died. It lists the locks (an
    // index), releases them, fails the operation (a put, a log batch), and asks about and stops
    // the operation's execution; it never starts one. Then build retention: old builds' objects.
    const reaper = new SlipwayFunction(this, 'Reaper', { handler: 'reaper', timeout: Duration.minutes(2) })
      .bindTable(props.table, ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'])
      .bindBucket(props.bucket, { delete: [ARTIFACT_KEYS.builds], list: true })
      .bindStateMachine(workflows.deploy, 'SLIPWAY_DEPLOY_STATE_MACHINE_ARN', 'watch')
      .bindStateMachine(workflows.undeploy, 'SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN', 'watch');
    new Rule(this, 'ReaperSchedule', {
      description: 'Slipway: finish deployments whose workflow died',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(reaper.fn, { retryAttempts: 0 })],
    });

    // An upload is marked `uploaded` when S3 says its object was created (the bucket sends its
    // events to EventBridge, see the stateful stack): only objects under an upload's key.
    // Marking one is a conditional update (functions/adapters/dynamodb/uploads.ts), of an
    // upload it reads first.
    const uploadEvents = new SlipwayFunction(this, 'UploadEvents', { handler: 'upload-events' }).bindTable(
      props.table,
      ['GetItem', 'Query', 'UpdateItem'],
    );
    new Rule(this, 'UploadReceived', {
      description: 'Slipway: an artifact was uploaded to its presigned URL',
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.bucket.bucketName] },
          object: { key: Match.wildcard(UPLOAD_KEY_PATTERN) },
        },
      },
      targets: [new LambdaFunction(uploadEvents.fn, { retryAttempts: 8 })],
    });

    // Domain events (a deployment's status changes) on a bus of the stack, for users' rules
    // (source `slipway`, detail-type per event: docs/aws.md, "Domain events").
    const events = new EventBus(this, 'Events', { description: 'Slipway domain events' });
    for (const fn of [
      functions.get('deployments'),
      functions.get('store-deployments'),
      artifactReader,
      deploymentPrepare,
      deploymentSteps,
      reaper,
    ])
      fn?.bindEventBus(events);
    new Webhooks(this, 'Webhook', { ...props, events, api: functionFor('webhooks'), connectorPublisher });

    // The one public entry point: the API, the hosted assets and the streaming routes.
    const edge = new Edge(this, 'Edge', {
      api: this.api,
      assetsBucket: props.assetsBucket,
      logBucket: props.logBucket,
      streams,
      cors: corsOrigins.length > 0,
    });

    addConsoleSite(this, { assetsBucket: props.assetsBucket, distribution: edge.distribution });

    // Hosting applications on Lambda: the workflow hosts, a cancel and the reaper stop.
    const hosting = new Hosting(this, 'Hosting', { ...props, assetsBaseUrl: edge.url, events });
    for (const fn of [deploymentSteps, reaper]) hosting.bind(fn);

    // A redeploy rewrites an assets application's files under the same paths, an undeploy
    // removes them: either way the distribution's copies are stale (cached for up to a day).
    // A subscriber of the bus invalidates the deployment's paths after each.
    const cacheInvalidation = new SlipwayFunction(this, 'CacheInvalidation', {
      handler: 'cache-invalidation',
    });
    edge.distribution.grantCreateInvalidation(cacheInvalidation.fn);
    cacheInvalidation.fn.addEnvironment('SLIPWAY_DISTRIBUTION_ID', edge.distribution.distributionId);
    new Rule(this, 'HostedAssetsReplaced', {
      description: 'Slipway: a deployment was deployed or removed; its hosted assets changed',
      eventBus: events,
      eventPattern: {
        source: [EVENT_SOURCE],
        detailType: ['DeploymentStatusChanged'],
        detail: { status: [...ASSETS_STALE_AFTER] },
      },
      targets: [new LambdaFunction(cacheInvalidation.fn, { retryAttempts: 8 })],
    });

    const alarms = addAlarms(this, this.api, [
      ['Publish', workflows.publish],
      ['Deploy', workflows.deploy],
      ['Undeploy', workflows.undeploy],
    ]);

    // The URL to give users: streaming routes and hosted assets only answer through it.
    new CfnOutput(this, 'ApiUrl', { value: edge.url });
    new CfnOutput(this, 'HttpApiUrl', {
      value: this.api.apiEndpoint,
      description: 'The HTTP API itself, without the streaming routes and the hosted assets',
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: alarms.topicArn });
    new CfnOutput(this, 'EventBusName', {
      value: events.eventBusName,
      description: 'Where Slipway puts its domain events (source slipway)',
    });
  }
}
