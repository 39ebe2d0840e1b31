import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AllowedMethods, CachePolicy } from 'aws-cdk-lib/aws-cloudfront';
import { beforeAll, describe, expect, it } from 'vitest';
import { httpApiRouteKeys, ROUTES, type RouteDefinition, routeKey } from '../../functions/http/routes.ts';
import { buildApp } from '../../infra/app.ts';
import { pathPatternOf } from '../../infra/constructs/edge.ts';
import { addNagChecks } from '../../infra/nag.ts';

/** The deployment events route, served (with the log tail) by the store-streams function. */
const EVENTS = ROUTES.find((route) => route.streaming && route.path.endsWith('/events')) as RouteDefinition;
const EVENTS_PATTERN = '/stores/*/v3/infrastructure/deployments/*/events';
const routes = ROUTES;

const newApp = () => new App({ context: { 'aws:cdk:bundling-stacks': [] } });

let stateless: Template;

beforeAll(() => {
  stateless = Template.fromStack(buildApp(newApp(), { routes }).stateless);
}, 60_000);

/** The logical id of the streaming route's function. */
const streamingFunction = () =>
  Object.keys(stateless.findResources('AWS::Lambda::Function')).find((id) =>
    id.startsWith('StoreStreamsFunction'),
  ) ?? '';
const distributionId = () => Object.keys(stateless.findResources('AWS::CloudFront::Distribution'))[0] ?? '';

describe('streaming routes', () => {
  it('turns a route path into a CloudFront path pattern', () => {
    expect(pathPatternOf(EVENTS.path)).toBe(EVENTS_PATTERN);
    expect(pathPatternOf('/stores/{store_hash}/v3/infrastructure/logs/{project_uuid}/tail')).toBe(
      '/stores/*/v3/infrastructure/logs/*/tail',
    );
  });

  it('gives the function a response-streaming URL that only signed callers may use', () => {
    stateless.resourceCountIs('AWS::Lambda::Url', 1);
    stateless.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      InvokeMode: 'RESPONSE_STREAM',
      TargetFunctionArn: { 'Fn::GetAtt': [streamingFunction(), 'Arn'] },
    });
  });

  it('is not a route of the HTTP API', () => {
    const routeKeys = Object.values(stateless.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties.RouteKey as string,
    );

    expect(routeKeys).not.toContain(routeKey(EVENTS));
    expect(routeKeys.sort()).toEqual(
      [...routes.filter((r) => !r.streaming).flatMap(httpApiRouteKeys), '$default'].sort(),
    );
  });

  it('is a distribution behavior to the function URL, through origin access control, uncached', () => {
    const config = stateless.toJSON().Resources[distributionId()].Properties.DistributionConfig;
    const behavior = config.CacheBehaviors.find(
      (b: { PathPattern: string }) => b.PathPattern === EVENTS_PATTERN,
    );
    const origin = config.Origins.find((o: { Id: string }) => o.Id === behavior?.TargetOriginId);
    const [url] = Object.keys(stateless.findResources('AWS::Lambda::Url'));
    const [access] = origin.OriginAccessControlId['Fn::GetAtt'];

    expect(behavior).toMatchObject({
      AllowedMethods: AllowedMethods.ALLOW_GET_HEAD.methods,
      CachePolicyId: CachePolicy.CACHING_DISABLED.cachePolicyId,
      ViewerProtocolPolicy: 'redirect-to-https',
      Compress: false,
    });
    expect(origin.DomainName).toEqual({
      'Fn::Select': [2, { 'Fn::Split': ['/', { 'Fn::GetAtt': [url, 'FunctionUrl'] }] }],
    });
    expect(origin.CustomOriginConfig).toMatchObject({
      OriginProtocolPolicy: 'https-only',
      OriginSSLProtocols: ['TLSv1.2'],
    });
    expect(stateless.toJSON().Resources[access].Properties.OriginAccessControlConfig).toEqual(
      expect.objectContaining({ OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always' }),
    );
    // X-Auth-Token, the stream's resume point and the viewer's host (set by the ViewerHost
    // function) reach the handler; Authorization carries the origin access control's
    // signature, so the viewer's never does.
    expect(
      stateless.toJSON().Resources[behavior.OriginRequestPolicyId.Ref].Properties.OriginRequestPolicyConfig,
    ).toMatchObject({
      HeadersConfig: {
        HeaderBehavior: 'whitelist',
        Headers: ['X-Auth-Token', 'Last-Event-ID', 'X-Forwarded-Host'],
      },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
      CookiesConfig: { CookieBehavior: 'none' },
    });
  });

  it('lets only the distribution invoke the function, and only through its URL', () => {
    const [url] = Object.keys(stateless.findResources('AWS::Lambda::Url'));
    // Every permission on the function, whether it names the function or its URL.
    const permissions = Object.values(stateless.findResources('AWS::Lambda::Permission'))
      .map((p) => p.Properties)
      .filter((p) => new RegExp(`"(${streamingFunction()}|${url})"`).test(JSON.stringify(p.FunctionName)));
    const distributionArn = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudfront::',
          { Ref: 'AWS::AccountId' },
          ':distribution/',
          { Ref: distributionId() },
        ],
      ],
    };

    // Function URLs need both actions; the second only counts for calls through the URL.
    expect(permissions).toHaveLength(2);
    expect(permissions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'lambda:InvokeFunctionUrl',
          FunctionName: { 'Fn::GetAtt': [url, 'FunctionArn'] },
          Principal: 'cloudfront.amazonaws.com',
          SourceArn: distributionArn,
        }),
        expect.objectContaining({
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [url, 'FunctionArn'] },
          Principal: 'cloudfront.amazonaws.com',
          SourceArn: distributionArn,
          InvokedViaFunctionUrl: true,
        }),
      ]),
    );
  });

  it('lets the function authenticate its caller as the authorizer does', () => {
    const variables = stateless.toJSON().Resources[streamingFunction()].Properties.Environment.Variables;

    expect(Object.keys(variables)).toEqual(
      expect.arrayContaining(['SLIPWAY_JWT_SECRET_ARN', 'SLIPWAY_TABLE_NAME']),
    );
  });

  it('gives the function Lambda’s longest time limit, a ceiling its stream ends before', () => {
    expect(stateless.findResources('AWS::Lambda::Function')[streamingFunction()]?.Properties.Timeout).toBe(
      900,
    );
  });

  it('adds no cdk-nag finding that infra/nag.ts does not acknowledge', () => {
    const app = newApp();
    buildApp(app, { routes });
    addNagChecks(app);

    expect(() => app.synth()).not.toThrow();
  }, 60_000);

  it('refuses a streaming route whose function also serves HTTP API routes', () => {
    const mixed = [...ROUTES, { ...EVENTS, function: 'deployments' as const }];

    expect(() => buildApp(newApp(), { routes: mixed })).toThrow(
      /streams, but its function 'deployments' also serves HTTP API routes/,
    );
  });
});
