import { Annotations, Duration, Fn } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  AllowedMethods,
  type BehaviorOptions,
  CachePolicy,
  Function as CloudFrontFunction,
  Distribution,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  FunctionUrlOriginAccessControl,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  type IOrigin,
  OriginProtocolPolicy,
  OriginRequestCookieBehavior,
  OriginRequestHeaderBehavior,
  OriginRequestPolicy,
  OriginRequestQueryStringBehavior,
  OriginSslPolicy,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin, HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import type { IFunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { Bucket, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { HOSTED_ASSETS_PREFIX } from '../../functions/wiring/hosted-names.ts';
import { CORS_REQUEST_HEADERS } from '../cors.ts';

/** A streaming route as CloudFront sees it: a path pattern and the function URL answering it. */
export interface StreamingOrigin {
  /** The route's path as a CloudFront path pattern, see `pathPatternOf`. */
  pathPattern: string;
  url: IFunctionUrl;
}

export interface EdgeProps {
  api: IHttpApi;
  /** The hosted-assets bucket (stateful stack). */
  assetsBucket: IBucket;
  /** Receives CloudFront's standard logs (needs ACLs: object ownership BUCKET_OWNER_PREFERRED). */
  logBucket: IBucket;
  streams: readonly StreamingOrigin[];
  /** CORS is on (infra/cors.ts): streaming routes let OPTIONS and the CORS request headers through. */
  cors?: boolean;
}

/** An HTTP API route path as a CloudFront path pattern: each `{parameter}` becomes `*`. */
export const pathPatternOf = (path: string): string => path.replace(/\{[^}]+\}/g, '*');

/** The web console's pages and files (keys `console/…` of the hosted-assets bucket). */
const CONSOLE_PATH_PATTERN = '/console/*';

/** The path hosted assets are served under: the same as their keys in the bucket. */
const ASSETS_PATH_PATTERN = `/${HOSTED_ASSETS_PREFIX}*`;

/**
 * A path ending in `/` is its folder's index page, so an assets application's URL (its
 * prefix, as the hosting adapter reports it) answers with its index.html. cloudfront-js-2.0.
 */
const INDEX_PAGES = `function handler(event) {
  var request = event.request;
  if (request.uri.endsWith('/')) request.uri += 'index.html';
  return request;
}`;

/**
 * The web console (`console/`, a single-page app in the hosted-assets bucket under `console/`):
 * `/console` moves to `/console/`, and every path that is not one of its hashed files is one of
 * its pages, answered with its `index.html`. cloudfront-js-2.0.
 */
const CONSOLE_PAGES = `function handler(event) {
  var request = event.request;
  if (request.uri === '/console') {
    return { statusCode: 308, statusDescription: 'Permanent Redirect', headers: { location: { value: '/console/' } } };
  }
  if (request.uri.indexOf('/console/assets/') !== 0) request.uri = '/console/index.html';
  return request;
}`;

/** What a browser may do with the console's pages: its own scripts and styles, nothing framed. */
const CONSOLE_CSP =
  "default-src 'self'; img-src 'self' data:; connect-src 'self' https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The viewer's host, as the functions behind the distribution must name it in the addresses
 * they return (`deployment_url`): CloudFront sends the origin's own host (the API's or a
 * function URL's), so this viewer-request function puts the viewer's in `X-Forwarded-Host`,
 * replacing whatever the viewer sent there; the functions trust that header
 * (`SLIPWAY_TRUST_FORWARDED_HOST`). cloudfront-js-2.0.
 */
const VIEWER_HOST = `function handler(event) {
  var request = event.request;
  request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  return request;
}`;

/**
 * One behavior per streaming route, to its function's URL through origin access control;
 * made only when there are streaming routes, so an account's quota of origin request
 * policies is not spent on nothing.
 */
const streamingBehaviors = (
  scope: Construct,
  streams: readonly StreamingOrigin[],
  viewerHost: CloudFrontFunction,
  cors: boolean,
): Record<string, BehaviorOptions> => {
  // Streaming routes authenticate with X-Auth-Token, checked by their handler (the API's
  // authorizer is not in this path). The viewer's Authorization header cannot reach them:
  // origin access control signs each request to the function URL with SigV4 in that header
  // (and CloudFront refuses an origin request policy naming it anyway). Last-Event-ID lets an
  // event stream resume where a dropped connection left it.
  const streamRequests = new OriginRequestPolicy(scope, 'StreamingRequests', {
    comment: 'Slipway streaming routes: X-Auth-Token, Last-Event-ID, the viewer host and query strings',
    headerBehavior: OriginRequestHeaderBehavior.allowList(
      'X-Auth-Token',
      'Last-Event-ID',
      'X-Forwarded-Host',
      ...(cors ? CORS_REQUEST_HEADERS : []),
    ),
    queryStringBehavior: OriginRequestQueryStringBehavior.all(),
    cookieBehavior: OriginRequestCookieBehavior.none(),
  });
  // One access control for every function URL origin (CDK would otherwise make one per origin
  // under the same construct id).
  const streamAccess = new FunctionUrlOriginAccessControl(scope, 'StreamingAccess');
  const streamOrigins = new Map<IFunctionUrl, IOrigin>();
  const streamOrigin = (url: IFunctionUrl): IOrigin => {
    let origin = streamOrigins.get(url);
    if (!origin) {
      origin = FunctionUrlOrigin.withOriginAccessControl(url, {
        originAccessControl: streamAccess,
        // CloudFront's response timeout is also the longest silence between two chunks: an
        // event stream sends a comment line more often than this (the default quota allows
        // up to 120 s).
        readTimeout: Duration.seconds(60),
      });
      streamOrigins.set(url, origin);
    }
    return origin;
  };

  return Object.fromEntries(
    streams.map((stream) => [
      stream.pathPattern,
      {
        origin: streamOrigin(stream.url),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cors ? AllowedMethods.ALLOW_GET_HEAD_OPTIONS : AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: streamRequests,
        // Compressing would hold chunks back until a block fills.
        compress: false,
        functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: viewerHost }],
      },
    ]),
  );
};

/** CDK warns that it cannot add origin access control's statement to an imported bucket's policy. */
const IMPORTED_BUCKET_POLICY_WARNING = '@aws-cdk/aws-cloudfront-origins:updateImportedBucketPolicyOac';

/**
 * Slipway's one public entry point: a CloudFront distribution in front of the HTTP API (the
 * default behavior), the hosted assets (`/hosted-assets/*`, from their bucket through origin
 * access control) and the streaming routes (each through its function URL, also with origin
 * access control). Streaming routes only work through it, since HTTP APIs buffer responses.
 */
export class Edge extends Construct {
  readonly distribution: Distribution;
  /** `https://<distribution domain>`: the API's public URL and where hosted assets are served. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: EdgeProps) {
    super(scope, id);

    // `https://<id>.execute-api.<region>.amazonaws.com` → its host name.
    const apiOrigin = new HttpOrigin(Fn.select(2, Fn.split('/', props.api.apiEndpoint)), {
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
      originSslProtocols: [OriginSslPolicy.TLS_V1_2],
    });

    // Imported, so that CDK does not add a statement naming this distribution to the bucket's
    // policy in the stateful stack (a dependency cycle between the stacks): the stateful stack's
    // own policy lets this account's distributions read the hosted prefix instead.
    const assetsBucket = Bucket.fromBucketAttributes(this, 'HostedAssetsBucket', {
      bucketArn: props.assetsBucket.bucketArn,
      bucketRegionalDomainName: props.assetsBucket.bucketRegionalDomainName,
    });
    const assetsOrigin = S3BucketOrigin.withOriginAccessControl(assetsBucket);
    Annotations.of(this).acknowledgeWarning(
      IMPORTED_BUCKET_POLICY_WARNING,
      'The hosted-assets bucket policy (stateful stack) grants CloudFront s3:GetObject for this account’s distributions.',
    );
    const indexFunction = new CloudFrontFunction(this, 'IndexPages', {
      comment: 'Slipway: a hosted-assets path ending in / serves its index.html',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(INDEX_PAGES),
    });

    const viewerHost = new CloudFrontFunction(this, 'ViewerHost', {
      comment: 'Slipway: the viewer host in X-Forwarded-Host, for the addresses the API returns',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(VIEWER_HOST),
    });
    const consolePages = new CloudFrontFunction(this, 'ConsolePages', {
      comment: 'Slipway: the web console, its pages at /console/ and below',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(CONSOLE_PAGES),
    });
    const consoleHeaders = new ResponseHeadersPolicy(this, 'ConsoleHeaders', {
      comment: 'Slipway: the web console’s security headers',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy: CONSOLE_CSP, override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), override: true },
      },
    });
    // The console's files are cached by their own Cache-Control: a year for the hashed ones,
    // revalidated for index.html (infra/constructs/console-site.ts writes both).
    const consoleBehavior: BehaviorOptions = {
      origin: assetsOrigin,
      viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
      cachePolicy: CachePolicy.CACHING_OPTIMIZED,
      responseHeadersPolicy: consoleHeaders,
      functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: consolePages }],
    };
    const streamBehaviors =
      props.streams.length === 0
        ? {}
        : streamingBehaviors(this, props.streams, viewerHost, props.cors ?? false);

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Slipway: API, hosted assets, web console, streaming routes',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // The API: nothing cached. Every viewer header but Host reaches it (API Gateway routes on
      // its own host name): with caching disabled, the AllViewer policies do forward
      // Authorization (Bearer tokens) as well as X-Auth-Token (BigCommerce's dialect).
      defaultBehavior: {
        origin: apiOrigin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: viewerHost }],
      },
      additionalBehaviors: {
        [ASSETS_PATH_PATTERN]: {
          origin: assetsOrigin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
          // Cached for a day unless an object says otherwise. A deployment's URL is new, but a
          // redeploy of it rewrites the same keys: edges may serve the previous files until
          // they expire (or an invalidation of the deployment's path).
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          functionAssociations: [{ eventType: FunctionEventType.VIEWER_REQUEST, function: indexFunction }],
        },
        [CONSOLE_PATH_PATTERN]: consoleBehavior,
        '/console': consoleBehavior,
        ...streamBehaviors,
      },
      // Standard logs into the stateful stack's log bucket (ACLs enabled there, as they need).
      enableLogging: true,
      logBucket: props.logBucket,
      logFilePrefix: 'cloudfront/',
    });
    this.url = `https://${this.distribution.distributionDomainName}`;
  }
}
