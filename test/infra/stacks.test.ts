import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AllowedMethods, CachePolicy, OriginRequestPolicy } from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLE_SCHEMA } from '../../functions/adapters/dynamodb/schema.ts';
import { CONNECT_REGIONS } from '../../functions/core/deployments/regions.ts';
import { httpApiRouteKeys, ROUTES } from '../../functions/http/routes.ts';
import { buildApp } from '../../infra/app.ts';
import { definitionText } from '../../infra/constructs/workflows.ts';

let stateful: Template;
let stateless: Template;

/** The HTTP API serves every route of the table that does not stream. */
const API_ROUTES = ROUTES.filter((route) => !route.streaming);

/** The one resource of a type in a template: its logical id and its definition. */
const single = (template: Template, type: string) => {
  const entries = Object.entries(template.findResources(type));
  expect(entries, type).toHaveLength(1);
  const [id, resource] = entries[0] ?? [];
  return { id: id as string, resource };
};

/** An import of one of the stateful stack's exports, by the exporting resource and attribute. */
const importing = (pattern: RegExp) =>
  expect.objectContaining({ 'Fn::ImportValue': expect.stringMatching(pattern) });

beforeAll(() => {
  // Skip bundling: these tests look at the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app);
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
}, 60_000);

describe('CDK stacks', () => {
  it('builds the table from the same schema module as the local stack', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.globalSecondaryIndexes.map((gsi) =>
        Match.objectLike({
          IndexName: gsi.indexName,
          KeySchema: [
            { AttributeName: gsi.partitionKey, KeyType: 'HASH' },
            { AttributeName: gsi.sortKey, KeyType: 'RANGE' },
          ],
        }),
      ),
      TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
    });
  });

  it('creates exactly the routes of the route table, plus $default', () => {
    const routeKeys = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey as string,
    );

    expect(routeKeys.sort()).toEqual([...API_ROUTES.flatMap(httpApiRouteKeys), '$default'].sort());
  });

  it('puts the Lambda authorizer on every route that needs a scope and on no public route', () => {
    const routes = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route'));

    for (const route of API_ROUTES)
      for (const key of httpApiRouteKeys(route)) {
        const resource = routes.find((r) => r.Properties.RouteKey === key);
        expect(resource?.Properties.AuthorizationType ?? 'NONE', key).toBe(
          route.scopes === null ? 'NONE' : 'CUSTOM',
        );
      }
    stateless.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      // No cached answers: a revoked credential is refused by the next request.
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  it('runs every function on arm64 and Node 22 or newer with tracing', () => {
    const functions = Object.values(stateless.findResources('AWS::Lambda::Function'));

    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(Number(/^nodejs(\d+)\.x$/.exec(fn.Properties.Runtime)?.[1])).toBeGreaterThanOrEqual(22);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('keeps data on deletion unless the dev context is set', () => {
    const devApp = new App({ context: { 'aws:cdk:bundling-stacks': [], dev: 'true' } });
    const dev = Template.fromStack(buildApp(devApp).stateful);

    stateful.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })],
    });
    dev.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    for (const bucket of Object.values(stateful.findResources('AWS::S3::Bucket')))
      expect(bucket.DeletionPolicy).toBe('Retain');
    for (const bucket of Object.values(dev.findResources('AWS::S3::Bucket')))
      expect(bucket.DeletionPolicy).toBe('Delete');
  });

  it('serves the artifacts bucket over TLS only, never publicly', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('keeps hosted assets in a bucket of their own: private, TLS only, SSE-S3, logged, readable by CloudFront', () => {
    const buckets = Object.entries(
      stateful.findResources('AWS::S3::Bucket', {
        Properties: { LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'hosted-assets/' }) },
      }),
    );
    const [id, bucket] = buckets[0] ?? [];

    expect(buckets).toHaveLength(1);
    expect(id).toMatch(/^HostedAssets/);
    expect(bucket?.Properties).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      // S3's own key: CloudFront's origin access control then needs no grant on a KMS key.
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    // The distribution is in the other stack, so the policy names any of this account's
    // distributions (naming it would make the stacks depend on each other).
    stateful.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          {
            Sid: 'CloudFrontReadsHostedAssets',
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Action: 's3:GetObject',
            Resource: [
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/hosted-assets/*']] },
              // The web console's files (infra/constructs/console-site.ts).
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [id, 'Arn'] }, '/console/*']] },
            ],
            Condition: {
              StringEquals: { 'AWS:SourceAccount': { Ref: 'AWS::AccountId' } },
              ArnLike: {
                'AWS:SourceArn': {
                  'Fn::Join': [
                    '',
                    [
                      'arn:',
                      { Ref: 'AWS::Partition' },
                      ':cloudfront::',
                      { Ref: 'AWS::AccountId' },
                      ':distribution/*',
                    ],
                  ],
                },
              },
            },
          },
        ]),
      },
    });
    // …and CDK added no statement naming the distribution from the stateless stack.
    stateless.resourceCountIs('AWS::S3::BucketPolicy', 0);
    stateful.hasOutput('HostedAssetsBucketName', { Value: { Ref: id } });
  });

  it('encrypts the table and the artifacts with a rotated customer key, and secrets with another', () => {
    const keys = Object.values(stateful.findResources('AWS::KMS::Key'));

    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key.Properties.EnableKeyRotation).toBe(true);
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
    });
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          Match.objectLike({
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }),
          }),
        ],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'projects/', ExpirationInDays: 7, Status: 'Enabled' }),
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }),
        ]),
      },
      CorsConfiguration: { CorsRules: [Match.objectLike({ AllowedMethods: ['PUT'] })] },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
    });
  });

  it('gives the secured-configuration key to who seals (both dialects’ deployments) and who opens (hosting, scripts) only', () => {
    const withKey = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.SLIPWAY_KMS_KEY_ID,
    );
    const scripts = Object.values(stateless.findResources('AWS::CodeBuild::Project')).filter((p) =>
      JSON.stringify(p.Properties.Environment.EnvironmentVariables).includes('SLIPWAY_KMS_KEY_ID'),
    );

    // And the webhooks: the API seals signing secrets, the dispatcher opens them (test/infra/webhooks.test.ts).
    expect(withKey).toHaveLength(5);
    expect(scripts).toHaveLength(1);
  });

  it('alarms on failed and timed-out executions, API 5xx and throttles, to one topic an email can subscribe to', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);

    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsFailed')).toHaveLength(3);
    expect(metrics.filter((m) => m === 'AWS/States/ExecutionsTimedOut')).toHaveLength(3);
    expect(metrics).toEqual(expect.arrayContaining(['AWS/ApiGateway/5xx', 'AWS/Lambda/Throttles']));
    for (const a of alarms) expect(a.Properties.AlarmActions).toHaveLength(1);
    stateless.hasParameter('AlarmEmail', { Type: 'String', Default: '' });
    stateless.hasResource('AWS::SNS::Subscription', { Condition: 'AlarmEmailGiven' });
    stateless.hasOutput('ApiUrl', {});
    stateful.hasOutput('TableName', {});
    stateful.hasOutput('BucketName', {});
  });

  it('keeps the access-token key in Secrets Manager, readable by the token endpoint, the authorizer and the streams only', () => {
    const readers = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.SLIPWAY_JWT_SECRET_ARN,
    );

    stateful.resourceCountIs('AWS::SecretsManager::Secret', 1);
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    // The streaming function authenticates its callers itself: no authorizer is in its path.
    expect(readers).toHaveLength(3);
    for (const fn of readers) expect(fn.Properties.Environment.Variables.SLIPWAY_JWT_KEY).toBeUndefined();
  });

  it('lets exactly the deployment steps and reaper functions host and stop applications (not the API)', () => {
    const hosting = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (fn) => fn.Properties.Environment?.Variables?.SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN,
    );
    const passRoles = Object.values(stateless.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes('iam:PassRole'),
    );

    expect(hosting).toHaveLength(2);
    expect(passRoles).toHaveLength(2);
    for (const fn of hosting)
      expect(Object.keys(fn.Properties.Environment.Variables)).toEqual(
        expect.arrayContaining([
          'SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN',
          'SLIPWAY_WEB_ADAPTER_LAYER_ARN',
          'SLIPWAY_ASSETS_BASE_URL',
          'SLIPWAY_BUCKET_NAME',
        ]),
      );
  });

  it('has hosting copy assets into the hosted-assets bucket, served at the distribution’s domain', () => {
    const hosting = Object.entries(stateless.findResources('AWS::Lambda::Function')).filter(
      ([, fn]) => fn.Properties.Environment?.Variables?.SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN,
    );
    const distribution = single(stateless, 'AWS::CloudFront::Distribution').id;
    const roles = hosting.map(([, fn]) => ({ Ref: fn.Properties.Role['Fn::GetAtt'][0] }));
    const writes = Object.values(stateless.findResources('AWS::IAM::Policy'))
      .filter((p) => roles.some((role) => JSON.stringify(p.Properties.Roles).includes(JSON.stringify(role))))
      .flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      )
      .filter((s) => [s.Action].flat().some((a) => /^s3:(PutObject|DeleteObject)/.test(a)));

    expect(hosting).toHaveLength(2);
    for (const [, fn] of hosting) {
      const variables = fn.Properties.Environment.Variables;
      expect(variables.SLIPWAY_ASSETS_BUCKET_NAME).toEqual(importing(/ExportsOutputRefHostedAssets/));
      expect(variables.SLIPWAY_ASSETS_BASE_URL).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]],
      });
    }
    // Hosting writes and deletes only under the hosted prefix of the hosted-assets bucket; the
    // reaper (which stops hosted applications too) also deletes old builds' objects, and only those.
    expect(writes.length).toBeGreaterThan(0);
    const bucket = importing(/ExportsOutputFnGetAttHostedAssets\w*Arn/);
    const artifacts = importing(/ExportsOutputFnGetAttArtifacts\w*Arn/);
    for (const statement of writes)
      for (const resource of [statement.Resource].flat())
        expect([
          bucket,
          { 'Fn::Join': ['', [bucket, '/hosted-assets/*']] },
          { 'Fn::Join': ['', [artifacts, '/deployments/*/builds/*']] },
        ]).toContainEqual(resource);
    stateless.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: Match.objectLike({
        Statement: [Match.objectLike({ Principal: { Service: 'scheduler.amazonaws.com' } })],
      }),
    });
  });

  describe('the public entry point (CloudFront)', () => {
    const config = () =>
      single(stateless, 'AWS::CloudFront::Distribution').resource?.Properties.DistributionConfig;
    type Origin = { Id: string; DomainName: unknown; [key: string]: unknown };
    const originOf = (behavior: { TargetOriginId: string }): Origin =>
      (config().Origins as Origin[]).find((o) => o.Id === behavior.TargetOriginId) as Origin;
    /** The CloudFront Function whose comment matches `comment`. */
    const edgeFunction = (comment: RegExp) => {
      const found = Object.entries(stateless.findResources('AWS::CloudFront::Function')).filter(([, f]) =>
        comment.test(f.Properties.FunctionConfig.Comment),
      );
      expect(found, String(comment)).toHaveLength(1);
      const [id, resource] = found[0] ?? [];
      return { id: id as string, resource };
    };
    const assetsBehavior = () =>
      (config().CacheBehaviors as { PathPattern: string; TargetOriginId: string }[]).find(
        (b) => b.PathPattern === '/hosted-assets/*',
      );

    it('sends everything else to the HTTP API over HTTPS, uncached, with every viewer header but Host', () => {
      const api = single(stateless, 'AWS::ApiGatewayV2::Api').id;
      const behavior = config().DefaultCacheBehavior;

      // Authorization (Bearer) and X-Auth-Token reach the API: all viewer headers do when nothing is cached.
      expect(behavior).toMatchObject({
        CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
        OriginRequestPolicyId: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER.originRequestPolicyId,
        AllowedMethods: AllowedMethods.ALLOW_ALL.methods,
        ViewerProtocolPolicy: 'redirect-to-https',
      });
      expect(originOf(behavior)).toEqual({
        Id: behavior.TargetOriginId,
        DomainName: { 'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [api, 'ApiEndpoint'] }] }] },
        CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
      });
    });

    it('serves /hosted-assets/* from the hosted-assets bucket through origin access control, cached', () => {
      const behavior = assetsBehavior();
      const origin = originOf(behavior ?? { TargetOriginId: '' });
      const access = (origin.OriginAccessControlId as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];

      expect(behavior).toMatchObject({
        CachePolicyId: CachePolicy.CACHING_OPTIMIZED.cachePolicyId,
        AllowedMethods: ['GET', 'HEAD'],
        ViewerProtocolPolicy: 'redirect-to-https',
        FunctionAssociations: [{ EventType: 'viewer-request', FunctionARN: expect.anything() }],
      });
      expect(origin.DomainName).toEqual(importing(/ExportsOutputFnGetAttHostedAssets\w*RegionalDomainName/));
      expect(origin.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
      expect(access[1]).toBe('Id');
      expect(stateless.toJSON().Resources[access[0]]).toMatchObject({
        Type: 'AWS::CloudFront::OriginAccessControl',
        Properties: {
          OriginAccessControlConfig: {
            OriginAccessControlOriginType: 's3',
            SigningBehavior: 'always',
            SigningProtocol: 'sigv4',
          },
        },
      });
    });

    it('answers an assets application’s URL (ending in /) with its index.html', () => {
      const { id, resource } = edgeFunction(/index\.html/);
      const code = resource?.Properties.FunctionCode as string;
      // The CloudFront Function's own code, run as CloudFront would run it on a viewer request.
      const handler = new Function(`${code}\nreturn handler;`)() as (event: { request: { uri: string } }) => {
        uri: string;
      };

      expect(resource?.Properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
      expect(assetsBehavior()).toMatchObject({
        FunctionAssociations: [{ FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] } }],
      });
      expect(handler({ request: { uri: '/hosted-assets/d-1/web/' } }).uri).toBe(
        '/hosted-assets/d-1/web/index.html',
      );
      expect(handler({ request: { uri: '/hosted-assets/d-1/web/img/logo.png' } }).uri).toBe(
        '/hosted-assets/d-1/web/img/logo.png',
      );
    });

    it('serves the web console at /console/ from the hosted-assets bucket, its pages answered with its index.html', () => {
      const { id, resource } = edgeFunction(/web console/);
      const code = resource?.Properties.FunctionCode as string;
      const handler = new Function(`${code}\nreturn handler;`)() as (event: { request: { uri: string } }) => {
        uri?: string;
        statusCode?: number;
        headers?: Record<string, { value: string }>;
      };
      const behaviors = (config().CacheBehaviors as { PathPattern: string }[]).filter((b) =>
        b.PathPattern.startsWith('/console'),
      );

      expect(behaviors).toHaveLength(2);
      for (const behavior of behaviors)
        expect(behavior).toMatchObject({
          TargetOriginId: assetsBehavior()?.TargetOriginId,
          AllowedMethods: ['GET', 'HEAD'],
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [{ FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] } }],
          ResponseHeadersPolicyId: expect.anything(),
        });
      expect(handler({ request: { uri: '/console' } })).toMatchObject({
        statusCode: 308,
        headers: { location: { value: '/console/' } },
      });
      for (const page of ['/console/', '/console/projects/shop', '/console/connectors'])
        expect(handler({ request: { uri: page } }).uri).toBe('/console/index.html');
      expect(handler({ request: { uri: '/console/assets/main-X.js' } }).uri).toBe(
        '/console/assets/main-X.js',
      );
      stateless.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
        ResponseHeadersPolicyConfig: Match.objectLike({
          SecurityHeadersConfig: Match.objectLike({
            ContentSecurityPolicy: {
              ContentSecurityPolicy: Match.stringLikeRegexp("frame-ancestors 'none'"),
              Override: true,
            },
          }),
        }),
      });
    });

    it('publishes the console on deploy with its own function: puts under console/ only, then invalidates', () => {
      const publisher = functionAt('ConsoleSite');
      const release = single(stateless, 'Custom::SlipwayConsole').resource;

      expect(release?.Properties).toMatchObject({
        ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/^ConsoleSiteFunction/), 'Arn'] },
        Release: expect.stringMatching(/^[0-9a-f]{16}$/),
      });
      expect(publisher.Properties.Environment.Variables).toMatchObject({
        SLIPWAY_ASSETS_BUCKET_NAME: expect.anything(),
        SLIPWAY_DISTRIBUTION_ID: { Ref: single(stateless, 'AWS::CloudFront::Distribution').id },
      });
      const puts = statementsOf(publisher).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')));
      expect(puts).toEqual([
        expect.objectContaining({
          Action: 's3:PutObject',
          Resource: expect.objectContaining({ 'Fn::Join': expect.anything() }),
        }),
      ]);
      expect(JSON.stringify(puts[0]?.Resource)).toContain('/console/*');
    });

    it('logs to the access-log bucket under cloudfront/', () => {
      expect(config().Logging).toEqual({
        Bucket: importing(/ExportsOutputFnGetAttAccessLogs\w*RegionalDomainName/),
        Prefix: 'cloudfront/',
      });
    });

    it('gives the distribution as ApiUrl, the HTTP API itself as HttpApiUrl', () => {
      const distribution = single(stateless, 'AWS::CloudFront::Distribution').id;
      const api = single(stateless, 'AWS::ApiGatewayV2::Api').id;

      stateless.hasOutput('ApiUrl', {
        Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }]] },
      });
      stateless.hasOutput('HttpApiUrl', { Value: { 'Fn::GetAtt': [api, 'ApiEndpoint'] } });
    });

    it('tells the API and the streams the viewer’s host in X-Forwarded-Host, which they trust', () => {
      const { id, resource } = edgeFunction(/X-Forwarded-Host/);
      const handler = new Function(`${resource?.Properties.FunctionCode}\nreturn handler;`)() as (event: {
        request: { headers: Record<string, { value: string }> };
      }) => { headers: Record<string, { value: string }> };
      const association = [
        { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [id, 'FunctionARN'] } },
      ];
      const streams = (config().CacheBehaviors as { PathPattern: string }[]).filter((b) =>
        b.PathPattern.startsWith('/stores/'),
      );
      const streamRequests = single(stateless, 'AWS::CloudFront::OriginRequestPolicy').resource;

      // Whatever the viewer sent in the header is replaced by the host it asked for.
      expect(
        handler({
          request: { headers: { host: { value: 'api.example.com' }, 'x-forwarded-host': { value: 'evil' } } },
        }).headers['x-forwarded-host'],
      ).toEqual({ value: 'api.example.com' });
      expect(config().DefaultCacheBehavior.FunctionAssociations).toEqual(association);
      expect(streams).toHaveLength(2);
      for (const behavior of streams) expect(behavior).toMatchObject({ FunctionAssociations: association });
      expect(streamRequests?.Properties.OriginRequestPolicyConfig.HeadersConfig.Headers).toContain(
        'X-Forwarded-Host',
      );
      // Every function behind a route: those of the HTTP API and of the streams.
      for (const name of new Set(ROUTES.map((route) => route.function)))
        expect(
          functionAt(name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase())).Properties.Environment
            .Variables.SLIPWAY_TRUST_FORWARDED_HOST,
          name,
        ).toBe('true');
    });

    it('serves both streaming routes from one function URL, one behavior each, beside the assets and the console', () => {
      stateless.resourceCountIs('AWS::Lambda::Url', 1);
      stateless.resourceCountIs('AWS::CloudFront::OriginRequestPolicy', 1);
      expect(
        config()
          .CacheBehaviors.map((b: { PathPattern: string }) => b.PathPattern)
          .sort(),
      ).toEqual([
        '/console',
        '/console/*',
        '/hosted-assets/*',
        '/stores/*/v3/infrastructure/deployments/*/events',
        '/stores/*/v3/infrastructure/logs/*/tail',
      ]);
    });
  });

  describe('workflows', () => {
    const machines = () => Object.values(stateless.findResources('AWS::StepFunctions::StateMachine'));
    const files = ['publish-connector', 'deploy', 'undeploy'];

    it('inlines every state machine the local engine runs, unchanged, with every placeholder substituted', () => {
      const definitions = machines().map((m) => m.Properties.DefinitionString as string);

      expect(definitions).toHaveLength(files.length);
      for (const file of files) {
        const text = definitionText(file);
        const placeholders = [...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]);
        const inlined = machines().find((m) => m.Properties.DefinitionString === text);
        expect(inlined, file).toBeDefined();
        expect(Object.keys(inlined?.Properties.DefinitionSubstitutions ?? {}), file).toEqual(
          expect.arrayContaining(placeholders),
        );
      }
    });

    it('logs every execution at ALL with its data, traces it, and times it out', () => {
      for (const m of machines()) {
        expect(m.Properties.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: true });
        expect(m.Properties.TracingConfiguration).toEqual({ Enabled: true });
      }
    });

    it('lets each state machine start exactly its CodeBuild projects, and .sync its managed rule', () => {
      const policies = Object.values(stateless.findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[],
      );
      const starts = policies.filter((s) => [s.Action].flat().includes('codebuild:StartBuild'));

      expect(starts.length).toBe(4); // publish: fetch; deploy: build, script; undeploy: script
      for (const s of starts) expect(JSON.stringify(s.Resource)).not.toContain('"*"');
      expect(JSON.stringify(policies)).toContain('StepFunctionsGetEventForCodeBuildStartBuildRule');
    });

    it('runs the build environment on arm64 with a time limit', () => {
      const projects = Object.values(stateless.findResources('AWS::CodeBuild::Project'));

      expect(projects).toHaveLength(3);
      for (const p of projects) {
        expect(p.Properties.Environment.Type).toBe('ARM_CONTAINER');
        expect(p.Properties.TimeoutInMinutes).toBeGreaterThan(0);
      }
    });

    it('gives the deployments function and the reaper the workflows they start, stop and describe', () => {
      stateless.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            SLIPWAY_DEPLOY_STATE_MACHINE_ARN: Match.anyValue(),
            SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN: Match.anyValue(),
            SLIPWAY_REGIONS: ['us-east-1.aws', ...CONNECT_REGIONS].join(','),
          }),
        },
      });
      stateless.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    });

    it('gives the health check the deploy workflow to describe, and nothing more of it', () => {
      const health = functionAt('Health');
      const statements = statementsOf(health);

      expect(health.Properties.Environment.Variables.SLIPWAY_DEPLOY_STATE_MACHINE_ARN).toEqual({
        Ref: expect.stringMatching(/^WorkflowsDeploy/),
      });
      expect(statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('states:')))).toEqual([
        expect.objectContaining({
          Action: 'states:DescribeStateMachine',
          Resource: { Ref: expect.stringMatching(/^WorkflowsDeploy/) },
        }),
      ]);
    });

    it('takes the regions deployments may name from the context value `regions`', () => {
      const app = new App({
        context: { 'aws:cdk:bundling-stacks': [], regions: ' eu-west-1.aws, ,europe-west1.gcp ' },
      });
      const regions = Object.values(
        Template.fromStack(buildApp(app).stateless).findResources('AWS::Lambda::Function'),
      ).flatMap((fn) => fn.Properties.Environment?.Variables?.SLIPWAY_REGIONS ?? []);

      // The Connect deployments function and the BigCommerce one.
      expect(regions).toEqual(['eu-west-1.aws,europe-west1.gcp', 'eu-west-1.aws,europe-west1.gcp']);
    }, 60_000);

    it('refuses a context value `regions` that names no region', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], regions: ' , ' } });

      expect(() => buildApp(app)).toThrow(/context value 'regions' names no region/);
    });
  });

  describe('CORS', () => {
    it('is off unless the context names origins: no CORS anywhere, streaming routes GET and HEAD only', () => {
      const api = single(stateless, 'AWS::ApiGatewayV2::Api').resource;
      const urls = Object.values(stateless.findResources('AWS::Lambda::Url'));
      const behaviors = Object.values(stateless.findResources('AWS::CloudFront::Distribution')).flatMap(
        (d) => d.Properties.DistributionConfig.CacheBehaviors ?? [],
      );

      expect(api?.Properties.CorsConfiguration).toBeUndefined();
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url.Properties.Cors).toBeUndefined();
      expect(
        behaviors.some((b) => b.AllowedMethods.includes('OPTIONS') && b.AllowedMethods.length === 3),
      ).toBe(false);
    });

    it('answers preflights on the HTTP API and the streaming URLs for the origins of `corsOrigins`', () => {
      const app = new App({
        context: {
          'aws:cdk:bundling-stacks': [],
          corsOrigins: 'https://console.example.com/, http://localhost:5173',
        },
      });
      const template = Template.fromStack(buildApp(app).stateless);
      const origins = ['https://console.example.com', 'http://localhost:5173'];

      expect(single(template, 'AWS::ApiGatewayV2::Api').resource?.Properties.CorsConfiguration).toMatchObject(
        {
          AllowOrigins: origins,
          AllowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
          AllowHeaders: expect.arrayContaining(['authorization', 'x-auth-token', 'idempotency-key']),
          MaxAge: 600,
        },
      );
      for (const url of Object.values(template.findResources('AWS::Lambda::Url')))
        expect(url.Properties.Cors).toMatchObject({ AllowOrigins: origins, AllowMethods: ['GET', 'HEAD'] });
      // CloudFront lets the preflight and its headers through to the streaming URLs.
      const streaming = Object.values(template.findResources('AWS::CloudFront::Distribution')).flatMap(
        (d) => d.Properties.DistributionConfig.CacheBehaviors ?? [],
      );
      expect(streaming.filter((b) => b.AllowedMethods.includes('OPTIONS')).length).toBeGreaterThan(0);
      const policies = Object.values(template.findResources('AWS::CloudFront::OriginRequestPolicy'));
      expect(
        policies.some((p) =>
          p.Properties.OriginRequestPolicyConfig.HeadersConfig.Headers?.includes(
            'Access-Control-Request-Method',
          ),
        ),
      ).toBe(true);
    }, 60_000);

    it('refuses a context value `corsOrigins` that is not an origin, naming it', () => {
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [], corsOrigins: 'console.example.com' } });

      expect(() => buildApp(app)).toThrow(/'console.example.com' is not an origin/);
    });
  });
});

/** A Slipway function by its construct id (`Health`, `UploadEvents`, …): logical id `<id>Function<hash>`. */
const functionAt = (name: string) => {
  const found = Object.entries(stateless.findResources('AWS::Lambda::Function')).filter(([id]) =>
    new RegExp(`^${name}Function[0-9A-F]{8}$`).test(id),
  );
  expect(found, name).toHaveLength(1);
  return found[0]?.[1] as {
    Properties: {
      Role: { 'Fn::GetAtt': [string, string] };
      Environment: { Variables: Record<string, unknown> };
    };
  };
};

/** Every policy statement of a function's role. */
const statementsOf = (fn: ReturnType<typeof functionAt>) => {
  const role = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(stateless.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap(
      (p) =>
        p.Properties.PolicyDocument.Statement as {
          Action: string | string[];
          Resource: unknown;
          Condition?: unknown;
        }[],
    );
};

describe('flows that only AWS wires', () => {
  it('marks uploads received: S3 sends its events to EventBridge, a rule gives upload keys to upload-events', () => {
    const uploadEvents = functionAt('UploadEvents');
    const rules = Object.values(stateless.findResources('AWS::Events::Rule')).filter(
      (r) => r.Properties.EventPattern?.source?.[0] === 'aws.s3',
    );

    stateful.hasResourceProperties('AWS::S3::Bucket', {
      NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
      BucketEncryption: Match.objectLike({}),
      LifecycleConfiguration: Match.objectLike({}),
    });
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.EventPattern).toEqual({
      source: ['aws.s3'],
      'detail-type': ['Object Created'],
      detail: {
        bucket: { name: [importing(/ExportsOutputRefArtifacts/)] },
        object: { key: [{ wildcard: 'projects/*/uploads/*.zip' }] },
      },
    });
    expect(rules[0]?.Properties.Targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^UploadEvents/), 'Arn'] } }),
    ]);
    expect(uploadEvents.Properties.Environment.Variables.SLIPWAY_TABLE_NAME).toBeDefined();
    const invokers = Object.values(stateless.findResources('AWS::Lambda::Permission')).filter((p) =>
      /^UploadEvents/.test(p.Properties.FunctionName?.['Fn::GetAtt']?.[0] ?? ''),
    );
    expect(invokers.map((p) => p.Properties.Principal)).toEqual(['events.amazonaws.com']);
  });

  it('puts domain events on a bus of the stack, from every function that changes a deployment’s status', () => {
    const bus = single(stateless, 'AWS::Events::EventBus').id;
    const publishers = Object.entries(stateless.findResources('AWS::Lambda::Function'))
      .filter(([, fn]) => fn.Properties.Environment?.Variables?.SLIPWAY_EVENT_BUS_NAME)
      .map(([id]) => id.replace(/Function[0-9A-F]{8}$/, ''))
      .sort();

    expect(publishers).toEqual(
      [
        'ArtifactReader',
        'ConnectorPublisher',
        'DeploymentPrepare',
        'DeploymentSteps',
        'Deployments',
        'HealthProbe',
        'Reaper',
        'StoreDeployments',
      ].sort(),
    );
    for (const name of publishers) {
      const statements = statementsOf(functionAt(name));
      expect(statements).toContainEqual(
        expect.objectContaining({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [bus, 'Arn'] } }),
      );
    }
    stateless.hasOutput('EventBusName', { Value: { Ref: bus } });
  });

  it('invalidates hosted assets from a subscriber of the bus, once a deployment is deployed or removed', () => {
    const bus = single(stateless, 'AWS::Events::EventBus').id;
    const distribution = single(stateless, 'AWS::CloudFront::Distribution').id;
    const subscriber = functionAt('CacheInvalidation');
    // The webhooks' rule is on the bus too (test/infra/webhooks.test.ts).
    const rules = Object.values(stateless.findResources('AWS::Events::Rule')).filter(
      (r) =>
        r.Properties.EventBusName !== undefined && !JSON.stringify(r.Properties.Targets).includes('Webhook'),
    );

    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties).toMatchObject({
      EventBusName: { Ref: bus },
      EventPattern: {
        source: ['slipway'],
        'detail-type': ['DeploymentStatusChanged'],
        detail: { status: ['Deployed', 'Removed'] },
      },
      Targets: [
        expect.objectContaining({
          Arn: { 'Fn::GetAtt': [expect.stringMatching(/^CacheInvalidation/), 'Arn'] },
        }),
      ],
    });
    expect(subscriber.Properties.Environment.Variables.SLIPWAY_DISTRIBUTION_ID).toEqual({
      Ref: distribution,
    });
    expect(statementsOf(subscriber)).toContainEqual(
      expect.objectContaining({ Action: 'cloudfront:CreateInvalidation' }),
    );
    // Nothing else may invalidate but the console's publisher: hosting only copies and deletes.
    const invalidators = Object.entries(stateless.findResources('AWS::IAM::Policy'))
      .filter(([, p]) =>
        JSON.stringify(p.Properties.PolicyDocument).includes('cloudfront:CreateInvalidation'),
      )
      .map(([id]) => id.replace(/Function.*$/, ''));
    expect(invalidators.sort()).toEqual(['CacheInvalidation', 'ConsoleSite']);
  });

  it('lets hosting delete only its own functions’ event-source mappings', () => {
    for (const name of ['DeploymentSteps', 'Reaper']) {
      const deletes = statementsOf(functionAt(name)).filter((s) =>
        [s.Action].flat().includes('lambda:DeleteEventSourceMapping'),
      );
      expect(deletes).toHaveLength(1);
      expect(deletes[0]?.Resource).not.toBe('*');
      expect(deletes[0]?.Condition).toEqual({ ArnLike: { 'lambda:FunctionArn': expect.anything() } });
    }
  });
});
