/**
 * cdk-nag's AWS Solutions checks, and every finding Slipway acknowledges, in one place, each
 * with the reason. A finding not listed here fails `cdk synth` and `test/infra/nag.test.ts`.
 */
import {
  type App,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';

interface Acknowledgement {
  /** A rule (`AwsSolutions-IAM5`) or one finding of it (`AwsSolutions-IAM5[Resource::*]`). */
  id: string;
  /** The construct paths it applies to. */
  paths: RegExp;
  reason: string;
}

const FUNCTION_ROLES = /^SlipwayStateless\/[A-Za-z]+\/Function\/ServiceRole$/;
const FUNCTION_POLICIES = /^SlipwayStateless\/[A-Za-z]+\/Function\/ServiceRole\/DefaultPolicy$/;
const DISTRIBUTION = /^SlipwayStateless\/Edge\/Distribution$/;

export const ACKNOWLEDGEMENTS: Acknowledgement[] = [
  {
    id: 'AwsSolutions-IAM4',
    paths: FUNCTION_ROLES,
    reason:
      'AWSLambdaBasicExecutionRole is what lets a function write its own CloudWatch log streams; AWS keeps it to logs:CreateLogGroup/CreateLogStream/PutLogEvents.',
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: FUNCTION_POLICIES,
    reason:
      "Written by CDK's grant methods for exactly the resources bound: the table's indexes (<table>/index/*, for GSI queries), the artifacts bucket's objects (<bucket>/*, keys are per project and upload), the hosted-assets bucket's console/* keys (the web console's publisher writes its files there), executions of the bound state machines (<state machine>:*, execution ARNs are not known in advance), Lambda version qualifiers, and X-Ray segments (xray:PutTraceSegments has no resource-level permissions). For the functions that host applications (deployment steps, deployments, reaper; infra/constructs/hosting.ts): functions, topics, queues and schedule groups named slipway-* (created at deploy time), the deployments' roles under /slipway-hosted/ named slipway-* (created, changed and deleted only with the stack's permissions boundary), event source mappings only for slipway-* functions, and the listing calls that have no resource (ListFunctions, ListEventSourceMappings, ListSchedules, tag:GetResources).",
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: /^SlipwayStateless\/Workflows\/(Publish|Deploy|Undeploy)\/Role\/DefaultPolicy$/,
    reason:
      'A state machine invokes its own step function at any version qualifier (<function>:*), and X-Ray and the CloudWatch Logs delivery used by logging ALL have no resource-level permissions.',
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: /^SlipwayStateless\/Workflows\/(FetchSource|BuildApplication|RunScript)\/Role\/DefaultPolicy$/,
    reason:
      "CodeBuild's own log group and report groups are named after the project (<project>:*, <project>-*); bucket and table access comes from CDK's grant methods on the artifacts bucket's objects and the table's indexes.",
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: /^SlipwayStateless\/Hosting\/SchedulerRole\/DefaultPolicy$/,
    reason:
      'Hosted applications are created at deploy time with names Slipway chooses: the scheduler invokes exactly the functions named slipway-*, nothing else.',
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: /^SlipwayStateless\/Hosting\/HostedRoleBoundary$/,
    reason:
      "The permissions boundary of the roles deployments' functions run as (made at deploy time, one per deployment): the most any of them may do, on resources named slipway-* (their log groups and queues) and the secured-configuration key. Each role's own policy narrows it to its deployment's names and encryption context (functions/adapters/hosting/aws/roles.ts).",
  },
  {
    id: 'AwsSolutions-APIG4',
    paths:
      /^SlipwayStateless\/((GET|HEAD)Health|(GET|HEAD)Openapi\.json|POSTOauth(Token|Revoke|Introspect)|CatchAllRoute|ANYSitesProject_uuid|ANYSitesProject_uuidProxy\+|ANYAppsProjectKeyDeploymentIdApplicationName|ANYAppsProjectKeyDeploymentIdApplicationNameProxy\+)$/,
    reason:
      'Public by design: the health check (GET and its HEAD twin), the OAuth token, revocation (RFC 7009) and introspection (RFC 7662) endpoints (clients authenticate with their credentials in the request), the OpenAPI document, $default, which only answers 404/405 in the dialect’s envelope, the projects’ websites under /sites/ (what a deployment serves to anyone, as a website), and services’ stable addresses under /apps/ (a tenant’s service answering its own callers, as its function URL did). Every other route has the Lambda authorizer (test/infra checks it route by route).',
  },
  {
    id: 'AwsSolutions-CFR1',
    paths: DISTRIBUTION,
    reason:
      'No geo restriction: the API and hosted assets serve the operator’s clients wherever they are, and every API route but the public ones authenticates its caller. Restricting countries is the operator’s business decision (the distribution’s geoRestriction), not a control this stack can choose for them.',
  },
  {
    id: 'AwsSolutions-CFR2',
    paths: DISTRIBUTION,
    reason:
      'No WAF web ACL by default: a CloudFront web ACL must be created in us-east-1 whatever region the stack is in, and costs a monthly fee per ACL and per rule plus a charge per million requests, before any traffic. Authentication happens at the API (authorizer and handlers) and the streaming handlers; an operator who wants WAF attaches a web ACL (the distribution’s webAclId), typically together with a custom domain.',
  },
  {
    id: 'AwsSolutions-CFR4',
    paths: DISTRIBUTION,
    reason:
      'With no custom domain, the distribution serves the default *.cloudfront.net certificate, for which CloudFront fixes the minimum viewer protocol at TLSv1 (minimumProtocolVersion applies only to a custom certificate). Modern clients negotiate TLS 1.2 or 1.3 anyway; a custom domain with an ACM certificate (us-east-1) is the way to require TLSv1.2_2021. Origins are HTTPS with TLS 1.2 only (AwsSolutions-CFR5 passes).',
  },
  {
    id: 'AwsSolutions-SMG4',
    paths: /^SlipwayStateful\/JwtKey$/,
    reason:
      'The access-token signing key: rotating it invalidates every token at once (clients fetch a new one from /oauth/token), so it is rotated on purpose by the operator (README), not on a schedule.',
  },
  {
    id: 'AwsSolutions-S1',
    paths: /^SlipwayStateful\/AccessLogs$/,
    reason: 'The bucket that receives the artifacts bucket’s server access logs does not log into itself.',
  },
  {
    id: 'AwsSolutions-IAM4',
    paths: /^SlipwayStateless\/Webhook\/(FanOut|Dispatcher)\/Function\/ServiceRole$/,
    reason:
      'The webhook functions (infra/constructs/webhooks.ts) are Slipway functions like the others: AWSLambdaBasicExecutionRole lets each write its own CloudWatch log streams, nothing more.',
  },
  {
    id: 'AwsSolutions-IAM5',
    paths: /^SlipwayStateless\/Webhook\/(FanOut|Dispatcher)\/Function\/ServiceRole\/DefaultPolicy$/,
    reason:
      "Written by CDK's grant methods for exactly what is bound: the table's indexes (<table>/index/*: the due deliveries are an index query), the dispatcher function at any version qualifier (<dispatcher>:*, invoked by the fan-out after it adds deliveries), and X-Ray segments (xray:PutTraceSegments has no resource-level permissions).",
  },
];

const matches = (ack: Acknowledgement, ruleName: string, path: string) =>
  (ruleName === ack.id || ruleName.startsWith(`${ack.id}[`)) &&
  // cdk-nag reports on the CloudFormation resource (`…/Resource`) under each construct.
  ack.paths.test(path.replace(/\/Resource$/, ''));

/**
 * cdk-nag's AWS Solutions checks, less what is acknowledged above. cdk-nag itself acknowledges
 * findings one id at a time (`RULE[finding]`, with the template's resolved names in it), so
 * the acknowledgements are applied to its report here, by rule and construct path.
 */
export class AcknowledgedAwsSolutionsChecks implements IPolicyValidationPlugin {
  readonly name = 'AwsSolutions (acknowledged in infra/nag.ts)';
  private readonly checks: AwsSolutionsChecks;

  constructor(app: App) {
    this.checks = new AwsSolutionsChecks(app);
  }

  validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const violations = this.checks
      .validate(context)
      .violations.map((v) => ({
        ...v,
        violatingResources: v.violatingResources.filter(
          (r) => !ACKNOWLEDGEMENTS.some((a) => matches(a, v.ruleName, r.constructPath ?? '')),
        ),
      }))
      .filter((v) => v.violatingResources.length > 0);
    return { success: violations.length === 0, violations };
  }
}

/** Adds the checks to the app: `cdk synth` fails on any finding not acknowledged above. */
export const addNagChecks = (app: App): void => {
  Validations.of(app).addPlugins(new AcknowledgedAwsSolutionsChecks(app));
};
