import { ArnFormat, Aws, Duration, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import {
  Effect,
  type IGrantable,
  ManagedPolicy,
  PolicyStatement,
  Role,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { rolePathOf } from '../../functions/adapters/hosting/aws/resources.ts';
import { HOSTED_ASSETS_PREFIX, HOSTED_NAME_PREFIX } from '../../functions/wiring/hosted-names.ts';
import { ARTIFACT_KEYS } from './artifact-keys.ts';
import { grantObjects, SlipwayFunction } from './slipway-function.ts';

/** AWS Lambda Web Adapter (awslabs), published by AWS in every region for arm64. */
const WEB_ADAPTER_LAYER = `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:753240598075:layer:LambdaAdapterLayerArm64:25`;

export interface HostingProps {
  /** The artifacts bucket: built applications are read from it. */
  bucket: IBucket;
  /** The hosted-assets bucket: assets applications are copied into it. */
  assetsBucket: IBucket;
  secretsKey: IKey;
  /** Where `assetsBucket` is served, its keys being the paths (`https://<distribution domain>`). */
  assetsBaseUrl: string;
  /**
   * The table and the bus of the health probe (`functions/handlers/health-probe.ts`), which
   * checks hosted applications that declare a health check once they are deployed; made when
   * both are given. Without it their health is checked only as they are hosted.
   */
  table?: ITableV2;
  events?: IEventBus;
}

/**
 * What hosting applications on AWS needs (`functions/adapters/hosting/aws/`): the permissions
 * boundary of the role each deployment's functions run as (the hosting functions make those
 * roles, `roles.ts`), the role EventBridge Scheduler invokes jobs with, and, for the functions
 * that host or stop applications, permissions limited to resources named `slipway-*`
 * (functions, topics, queues, schedule groups), to roles under the hosted path that carry the
 * boundary, and to the scheduler's role.
 */
export class Hosting extends Construct {
  /** The most any hosted function may do, whatever its deployment's role says. */
  readonly roleBoundary: ManagedPolicy;
  readonly schedulerRole: Role;
  /** Invoked by each checked application's schedule (`functions/adapters/hosting/aws/health.ts`). */
  readonly healthProbe: SlipwayFunction | undefined;

  constructor(
    scope: Construct,
    id: string,
    private readonly props: HostingProps,
  ) {
    super(scope, id);
    const arn = (service: string, resource: string, resourceName: string) =>
      Stack.of(this).formatArn({
        service,
        resource,
        resourceName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    this.functionArns = arn('lambda', 'function', `${HOSTED_NAME_PREFIX}-*`);
    this.roleArns = Stack.of(this).formatArn({
      service: 'iam',
      region: '',
      resource: 'role',
      resourceName: `${rolePathOf(HOSTED_NAME_PREFIX).slice(1)}${HOSTED_NAME_PREFIX}-*`,
    });

    // Each role's own policy names its deployment's resources and encryption context; this caps
    // them all: logs of hosted functions, messages of hosted queues (what Lambda's SQS event
    // source mapping polls with), and decrypting with the secured-configuration key. No IAM, no
    // data, nothing of Slipway's own.
    const hostedLogs = `log-group:/aws/lambda/${HOSTED_NAME_PREFIX}-*`;
    this.roleBoundary = new ManagedPolicy(this, 'HostedRoleBoundary', {
      description: 'Slipway: the permissions boundary of the roles hosted applications run as',
      statements: [
        new PolicyStatement({
          actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [
            Stack.of(this).formatArn({
              service: 'logs',
              resource: hostedLogs,
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
            Stack.of(this).formatArn({
              service: 'logs',
              resource: `${hostedLogs}:log-stream:*`,
              arnFormat: ArnFormat.NO_RESOURCE_NAME,
            }),
          ],
        }),
        new PolicyStatement({
          actions: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'],
          resources: [Stack.of(this).formatArn({ service: 'sqs', resource: `${HOSTED_NAME_PREFIX}-*` })],
        }),
        new PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.secretsKey.keyArn] }),
      ],
    });

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Slipway: what EventBridge Scheduler invokes job applications as',
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
    });
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.functionArns] }),
    );
    this.healthProbe = props.table && props.events && this.addHealthProbe(props.table, props.events);
  }

  /**
   * The health probe: invoked by the schedules (as the scheduler's role), it invokes the hosted
   * functions (a synthetic GET), reads the deployment and each application's run of checks,
   * writes the latter and the deployment's report (a conditional put each), and puts
   * `ApplicationHealthChanged` on the bus.
   */
  private addHealthProbe(table: ITableV2, events: IEventBus): SlipwayFunction {
    // The check's timeout is at most 20 s; a minute leaves room for the reads and writes around it.
    // At the stack's top level, named as every handler's function is (`HealthProbeFunction`).
    const probe = new SlipwayFunction(Stack.of(this), 'HealthProbe', {
      handler: 'health-probe',
      timeout: Duration.minutes(1),
    })
      .bindTable(table, ['GetItem', 'PutItem'])
      .bindEventBus(events);
    probe.fn.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.functionArns] }),
    );
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [probe.fn.functionArn] }),
    );
    return probe;
  }

  private readonly functionArns: string;
  /** The roles of deployments: under the hosted path, named `slipway-<deployment>`. */
  private readonly roleArns: string;

  /** Lets `fn` host and stop applications, and tells it how (the adapter's settings). */
  bind(fn: SlipwayFunction): void {
    const grantee: IGrantable = fn.fn;
    const stack = Stack.of(this);
    const statements = [
      new PolicyStatement({
        actions: [
          'lambda:CreateFunction',
          'lambda:UpdateFunctionCode',
          'lambda:UpdateFunctionConfiguration',
          'lambda:GetFunction',
          'lambda:DeleteFunction',
          'lambda:CreateFunctionUrlConfig',
          'lambda:GetFunctionUrlConfig',
          'lambda:AddPermission',
          'lambda:TagResource',
          'lambda:ListTags',
        ],
        resources: [this.functionArns],
      }),
      // Mappings and the function listing have no name to scope by; mappings are limited to ours.
      new PolicyStatement({
        actions: ['lambda:CreateEventSourceMapping'],
        resources: ['*'],
        conditions: { ArnLike: { 'lambda:FunctionArn': this.functionArns } },
      }),
      new PolicyStatement({
        actions: ['lambda:DeleteEventSourceMapping'],
        resources: [
          stack.formatArn({
            service: 'lambda',
            resource: 'event-source-mapping',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
        conditions: { ArnLike: { 'lambda:FunctionArn': this.functionArns } },
      }),
      new PolicyStatement({
        actions: ['lambda:ListEventSourceMappings', 'lambda:ListFunctions'],
        resources: ['*'],
      }),
      new PolicyStatement({ actions: ['lambda:GetLayerVersion'], resources: [WEB_ADAPTER_LAYER] }),
      new PolicyStatement({
        actions: [
          'sns:CreateTopic',
          'sns:Subscribe',
          'sns:DeleteTopic',
          'sns:TagResource',
          'sns:GetTopicAttributes',
        ],
        resources: [stack.formatArn({ service: 'sns', resource: `${HOSTED_NAME_PREFIX}-*` })],
      }),
      new PolicyStatement({
        actions: [
          'sqs:CreateQueue',
          'sqs:SetQueueAttributes',
          'sqs:GetQueueUrl',
          'sqs:GetQueueAttributes',
          'sqs:DeleteQueue',
          'sqs:TagQueue',
        ],
        resources: [stack.formatArn({ service: 'sqs', resource: `${HOSTED_NAME_PREFIX}-*` })],
      }),
      new PolicyStatement({
        actions: [
          'scheduler:CreateSchedule',
          'scheduler:UpdateSchedule',
          'scheduler:DeleteSchedule',
          'scheduler:CreateScheduleGroup',
          'scheduler:DeleteScheduleGroup',
          'scheduler:GetScheduleGroup',
          'scheduler:TagResource',
        ],
        resources: [
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule',
            resourceName: `${HOSTED_NAME_PREFIX}-*`,
          }),
          stack.formatArn({
            service: 'scheduler',
            resource: 'schedule-group',
            resourceName: `${HOSTED_NAME_PREFIX}-*`,
          }),
        ],
      }),
      // Listing schedules and finding resources by tag have no resource to scope by.
      new PolicyStatement({ actions: ['scheduler:ListSchedules', 'tag:GetResources'], resources: ['*'] }),
      // Deployments' roles: made, changed and deleted only under the hosted path and only with
      // the boundary, so no role these functions make can do more than the boundary allows.
      new PolicyStatement({
        actions: ['iam:CreateRole', 'iam:PutRolePolicy', 'iam:DeleteRolePolicy', 'iam:DeleteRole'],
        resources: [this.roleArns],
        conditions: { StringEquals: { 'iam:PermissionsBoundary': this.roleBoundary.managedPolicyArn } },
      }),
      new PolicyStatement({ actions: ['iam:GetRole', 'iam:TagRole'], resources: [this.roleArns] }),
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.roleArns],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
      // Never, whatever else may be granted later: a role's boundary removed or replaced, a
      // managed policy attached, a trust changed, or the boundary itself edited.
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [
          'iam:DeleteRolePermissionsBoundary',
          'iam:PutRolePermissionsBoundary',
          'iam:AttachRolePolicy',
          'iam:UpdateAssumeRolePolicy',
        ],
        resources: [this.roleArns],
      }),
      new PolicyStatement({
        effect: Effect.DENY,
        actions: [
          'iam:CreatePolicyVersion',
          'iam:DeletePolicy',
          'iam:DeletePolicyVersion',
          'iam:SetDefaultPolicyVersion',
        ],
        resources: [this.roleBoundary.managedPolicyArn],
      }),
    ];
    for (const statement of statements) fn.fn.addToRolePolicy(statement);
    // Built applications are read from the artifacts bucket (a function's code by Lambda with
    // the caller's permissions, an assets application's files listed and copied); assets are
    // copied into the hosted-assets bucket under their prefix, and listed and deleted from it
    // when stopped.
    grantObjects(this.props.bucket, grantee, { read: [ARTIFACT_KEYS.builds], list: true });
    const assets = `${HOSTED_ASSETS_PREFIX}*`;
    grantObjects(this.props.assetsBucket, grantee, { write: [assets], delete: [assets], list: true });
    // Lambda encrypts a hosted function's environment with the secured-configuration key when
    // the caller names it (its SLIPWAY_KMS_KEY_ID, from `bindSecrets`: the deployment steps),
    // under a grant the caller creates. A function without the key names none (the reaper,
    // which stops applications and never opens secured values), so it is given none.
    if (fn.secretsKey) fn.secretsKey.grant(grantee, 'kms:Encrypt', 'kms:CreateGrant', 'kms:DescribeKey');
    for (const [name, value] of Object.entries({
      SLIPWAY_BUCKET_NAME: this.props.bucket.bucketName,
      SLIPWAY_ASSETS_BUCKET_NAME: this.props.assetsBucket.bucketName,
      SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN: this.roleBoundary.managedPolicyArn,
      SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN: this.schedulerRole.roleArn,
      SLIPWAY_WEB_ADAPTER_LAYER_ARN: WEB_ADAPTER_LAYER,
      SLIPWAY_ASSETS_BASE_URL: this.props.assetsBaseUrl,
      ...(this.healthProbe ? { SLIPWAY_HEALTH_PROBE_ARN: this.healthProbe.fn.functionArn } : {}),
    }))
      fn.fn.addEnvironment(name, value);
  }
}
