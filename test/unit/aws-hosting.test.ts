import { createHash } from 'node:crypto';
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  GetRoleCommand,
  IAMClient,
  PutRolePolicyCommand,
} from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
} from '@aws-sdk/client-lambda';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CopyObjectCommand, DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, DeleteTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AwsHostingSettings,
  awsHosting,
  toAwsCron,
} from '../../functions/adapters/hosting/aws/hosting.ts';
import { ApplicationHostingFailed } from '../../functions/core/hosting/errors.ts';
import type { HostingRequest } from '../../functions/core/hosting/ports.ts';

// The region the adapter's clients make resources in, which the role's policy names.
vi.stubEnv('AWS_REGION', 'eu-west-1');

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);
const s3 = mockClient(S3Client);

const settings: AwsHostingSettings = {
  bucket: 'slipway-artifacts',
  assetsBucket: 'slipway-hosted-assets',
  roleBoundaryArn: 'arn:aws:iam::111122223333:policy/slipway-hosted-boundary',
  schedulerRoleArn: 'arn:aws:iam::111122223333:role/slipway-scheduler',
  webAdapterLayerArn: 'arn:aws:lambda:eu-west-1:753240598075:layer:LambdaAdapterLayerArm64:25',
  assetsPrefix: 'hosted-assets/',
  assetsBaseUrl: 'https://cdn.example.com/',
  kmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/hosted',
  namePrefix: 'slipway',
};

const DEPLOYMENT = '0198c0de-0000-7000-8000-000000000001';
const BUILD = 'b5a1d2c3-0000-4000-8000-00000000000b';
const OLD_BUILD = 'a0a0a0a0-0000-4000-8000-00000000000a';
const SECRET = 's3cr3t-canary-value';
const ACCOUNT = 'arn:aws:lambda:eu-west-1:111122223333';

const short = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 8);
const nameOf = (app: string, build = BUILD) => `slipway-${short(DEPLOYMENT)}-${short(build)}-${app}`;
const functionArn = (name: string) => `${ACCOUNT}:function:${name}`;
const topicArn = (name: string) => `arn:aws:sns:eu-west-1:111122223333:${name}`;
const queueArn = (name: string) => `arn:aws:sqs:eu-west-1:111122223333:${name}`;
const queueUrl = (name: string) => `https://sqs.eu-west-1.amazonaws.com/111122223333/${name}`;
const awsError = (name: string, message = name) => Object.assign(new Error(message), { name });
const ROLE_NAME = `slipway-${DEPLOYMENT}`;
const ROLE_ARN = `arn:aws:iam::111122223333:role/slipway-hosted/${ROLE_NAME}`;
const ROLE_TAGS = [
  { Key: 'slipway:tenant', Value: 'tenant-a' },
  { Key: 'slipway:deployment', Value: DEPLOYMENT },
];

const request = (overrides: Partial<HostingRequest> = {}): HostingRequest => ({
  tenant: 'tenant-a',
  projectId: 'p-1',
  deploymentId: DEPLOYMENT,
  buildId: BUILD,
  applicationName: 'orders',
  applicationType: 'service',
  bundle: `builds/${DEPLOYMENT}/${BUILD}/orders.zip`,
  endpoint: '/service',
  environment: { CTP_PROJECT_KEY: 'shop', CTP_CLIENT_SECRET: SECRET },
  secretValues: [SECRET],
  ...overrides,
});

const tags = (app: string, build = BUILD) => ({
  'slipway:deployment': DEPLOYMENT,
  'slipway:build': build,
  'slipway:application': app,
});

let waitUntilReady: ReturnType<typeof vi.fn<(name: string) => Promise<void>>>;
let sleep: ReturnType<typeof vi.fn<(ms: number) => Promise<void>>>;
let hosting: ReturnType<typeof awsHosting>;

beforeEach(() => {
  for (const mock of [lambda, iam, sns, sqs, scheduler, tagging, s3]) mock.reset();
  waitUntilReady = vi.fn(async () => {});
  sleep = vi.fn(async () => {});
  hosting = awsHosting(settings, { waitUntilReady, sleep });
  iam.on(CreateRoleCommand).resolves({ Role: { Arn: ROLE_ARN } as never });
  iam.on(PutRolePolicyCommand).resolves({});
  lambda.on(CreateFunctionCommand).callsFake(async (input: { FunctionName: string }) => ({
    FunctionArn: functionArn(input.FunctionName),
  }));
  lambda
    .on(CreateFunctionUrlConfigCommand)
    .resolves({ FunctionUrl: 'https://abc123.lambda-url.eu-west-1.on.aws/' });
  lambda.on(AddPermissionCommand).resolves({});
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'esm-1' });
});

describe('AWS hosting: services', () => {
  it('creates an arm64 Node 22 function behind the Web Adapter with a public URL', async () => {
    const result = await hosting.host(request({ healthCheckPath: 'health' }));

    const name = nameOf('orders');
    expect(result).toEqual({ url: 'https://abc123.lambda-url.eu-west-1.on.aws/service' });
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input).toEqual({
      FunctionName: name,
      Role: ROLE_ARN,
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      Handler: 'run.sh',
      PackageType: 'Zip',
      Code: { S3Bucket: 'slipway-artifacts', S3Key: `builds/${DEPLOYMENT}/${BUILD}/orders.zip` },
      Layers: [settings.webAdapterLayerArn],
      Timeout: 300,
      MemorySize: 1024,
      KMSKeyArn: settings.kmsKeyArn,
      Environment: {
        Variables: {
          CTP_PROJECT_KEY: 'shop',
          CTP_CLIENT_SECRET: SECRET,
          AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
          PORT: '8080',
          AWS_LWA_READINESS_CHECK_PATH: '/health',
        },
      },
      Tags: tags('orders'),
    });
    expect(waitUntilReady).toHaveBeenCalledWith(name);
    expect(lambda.commandCalls(CreateFunctionUrlConfigCommand)[0]?.args[0].input).toEqual({
      FunctionName: name,
      AuthType: 'NONE',
    });
    expect(lambda.commandCalls(AddPermissionCommand).map((c) => c.args[0].input)).toEqual([
      {
        FunctionName: name,
        StatementId: 'slipway-function-url',
        Action: 'lambda:InvokeFunctionUrl',
        Principal: '*',
        FunctionUrlAuthType: 'NONE',
      },
      {
        FunctionName: name,
        StatementId: 'slipway-function-url-invoke',
        Action: 'lambda:InvokeFunction',
        Principal: '*',
        InvokedViaFunctionUrl: true,
      },
    ]);
  });

  it('checks readiness on the endpoint (or /) and leaves the KMS key out when none is configured', async () => {
    const withoutKey = awsHosting({ ...settings, kmsKeyArn: undefined }, { waitUntilReady });

    const atEndpoint = await withoutKey.host(request());
    const atRoot = await withoutKey.host(request({ applicationName: 'bare', endpoint: undefined }));

    const [first, second] = lambda.commandCalls(CreateFunctionCommand).map((c) => c.args[0].input);
    expect(first).not.toHaveProperty('KMSKeyArn');
    expect(first?.Environment?.Variables?.AWS_LWA_READINESS_CHECK_PATH).toBe('/service');
    expect(second?.Environment?.Variables?.AWS_LWA_READINESS_CHECK_PATH).toBe('/');
    expect(atEndpoint.url).toBe('https://abc123.lambda-url.eu-west-1.on.aws/service');
    expect(atRoot.url).toBe('https://abc123.lambda-url.eu-west-1.on.aws');
  });

  it('lets the Web Adapter settings win over the application environment', async () => {
    await hosting.host(request({ environment: { PORT: '3000', AWS_LAMBDA_EXEC_WRAPPER: '/bin/other' } }));

    const variables = lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.Environment?.Variables;
    expect(variables).toMatchObject({ PORT: '8080', AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap' });
  });

  it('updates the function an earlier attempt made and answers the same URL', async () => {
    const name = nameOf('orders');
    lambda.on(CreateFunctionCommand).rejects(awsError('ResourceConflictException', 'Function already exist'));
    lambda
      .on(GetFunctionCommand)
      .resolves({ Tags: tags('orders'), Configuration: { FunctionArn: functionArn(name) } });
    lambda.on(UpdateFunctionCodeCommand).resolves({});
    lambda.on(UpdateFunctionConfigurationCommand).resolves({ FunctionArn: functionArn(name) });
    lambda.on(CreateFunctionUrlConfigCommand).rejects(awsError('ResourceConflictException'));
    lambda
      .on(GetFunctionUrlConfigCommand)
      .resolves({ FunctionUrl: 'https://abc123.lambda-url.eu-west-1.on.aws/' });
    lambda.on(AddPermissionCommand).rejects(awsError('ResourceConflictException', 'statement exists'));

    const result = await hosting.host(request());

    expect(result).toEqual({ url: 'https://abc123.lambda-url.eu-west-1.on.aws/service' });
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)[0]?.args[0].input).toEqual({
      FunctionName: name,
      S3Bucket: 'slipway-artifacts',
      S3Key: `builds/${DEPLOYMENT}/${BUILD}/orders.zip`,
      Architectures: ['arm64'],
    });
    expect(lambda.commandCalls(UpdateFunctionConfigurationCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: name,
      Runtime: 'nodejs22.x',
      Handler: 'run.sh',
      Layers: [settings.webAdapterLayerArn],
      KMSKeyArn: settings.kmsKeyArn,
      Environment: { Variables: expect.objectContaining({ PORT: '8080', CTP_CLIENT_SECRET: SECRET }) },
    });
    // Before the code update, between the two updates, and after the configuration update.
    expect(waitUntilReady).toHaveBeenCalledTimes(3);
  });

  it('refuses to update a function of the same name that belongs to another application', async () => {
    lambda.on(CreateFunctionCommand).rejects(awsError('ResourceConflictException'));
    lambda.on(GetFunctionCommand).resolves({ Tags: tags('orders', OLD_BUILD) });

    const failure = hosting.host(request());

    await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
    await expect(failure).rejects.toThrow(/belongs to another application/);
    expect(lambda.commandCalls(UpdateFunctionCodeCommand)).toHaveLength(0);
  });

  it('reports an AWS failure as ApplicationHostingFailed naming the application, never an environment value', async () => {
    lambda
      .on(CreateFunctionCommand)
      .rejects(awsError('InvalidParameterValueException', `Environment variable value ${SECRET} is invalid`));

    const failure = await hosting.host(request()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationHostingFailed);
    const { message, details } = failure as ApplicationHostingFailed & { details?: unknown };
    expect(message).toContain("Hosting application 'orders' failed: InvalidParameterValueException");
    expect(message).not.toContain(SECRET);
    expect(JSON.stringify(details ?? {})).not.toContain(SECRET);
    expect(lambda.commandCalls(CreateFunctionUrlConfigCommand)).toHaveLength(0);
  });

  it('reports a function that never becomes ready as ApplicationHostingFailed', async () => {
    waitUntilReady.mockRejectedValue(new Error('the function is not ready after 300 s (state Failed)'));

    await expect(hosting.host(request())).rejects.toThrow(
      "Hosting application 'orders' failed: the function is not ready after 300 s (state Failed)",
    );
  });

  it('keeps names within 64 characters, deterministic, with a hash when cut', async () => {
    const applicationName = 'a-very-long-application-name-that-does-not-fit-in-a-lambda-name';

    await hosting.host(request({ applicationName }));
    await hosting.host(request({ applicationName }));

    const [first, second] = lambda
      .commandCalls(CreateFunctionCommand)
      .map((c) => c.args[0].input.FunctionName);
    expect(first).toHaveLength(64);
    expect(first).toBe(second);
    expect(first).toMatch(new RegExp(`^slipway-${short(DEPLOYMENT)}-${short(BUILD)}-a-very-.*-[0-9a-f]{8}$`));
  });
});

describe('AWS hosting: each deployment’s role', () => {
  const roleRequest = () => iam.commandCalls(CreateRoleCommand)[0]?.args[0].input;
  const policyOf = () =>
    JSON.parse(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input.PolicyDocument ?? '{}') as {
      Statement: { Sid: string; Resource: unknown; Condition?: unknown }[];
    };

  it('runs the functions as a role of the deployment, made under the hosted path with the stack’s boundary', async () => {
    await hosting.host(request());

    expect(roleRequest()).toEqual({
      RoleName: ROLE_NAME,
      Path: '/slipway-hosted/',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
        ],
      }),
      PermissionsBoundary: settings.roleBoundaryArn,
      Description: 'Slipway: what the hosted applications of one deployment run as',
      Tags: ROLE_TAGS,
    });
    expect(iam.commandCalls(PutRolePolicyCommand)[0]?.args[0].input).toMatchObject({
      RoleName: ROLE_NAME,
      PolicyName: 'hosted-applications',
    });
    const names = `slipway-${short(DEPLOYMENT)}-`;
    expect(policyOf().Statement.map((s) => [s.Sid, s.Resource, s.Condition])).toEqual([
      [
        'OwnLogs',
        [
          `arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/${names}*`,
          `arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/${names}*:log-stream:*`,
        ],
        undefined,
      ],
      ['OwnQueues', `arn:aws:sqs:eu-west-1:111122223333:${names}*`, undefined],
      [
        'OwnEnvironment',
        settings.kmsKeyArn,
        { ArnLike: { 'kms:EncryptionContext:aws:lambda:FunctionArn': `${ACCOUNT}:function:${names}*` } },
      ],
      [
        'OwnConfiguration',
        settings.kmsKeyArn,
        {
          StringEquals: {
            'kms:EncryptionContext:slipway:tenant': 'tenant-a',
            'kms:EncryptionContext:slipway:deployment': DEPLOYMENT,
          },
        },
      ],
    ]);
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.Role).toBe(ROLE_ARN);
  });

  it('reuses the role an earlier attempt made and writes its policy again', async () => {
    iam.on(CreateRoleCommand).rejects(awsError('EntityAlreadyExistsException'));
    iam.on(GetRoleCommand).resolves({
      Role: {
        Arn: ROLE_ARN,
        Path: '/slipway-hosted/',
        PermissionsBoundary: { PermissionsBoundaryArn: settings.roleBoundaryArn },
        Tags: ROLE_TAGS,
      } as never,
    });

    await hosting.host(request());

    expect(iam.commandCalls(GetRoleCommand)[0]?.args[0].input).toEqual({ RoleName: ROLE_NAME });
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.Role).toBe(ROLE_ARN);
  });

  it.each([
    [
      'another boundary',
      { PermissionsBoundary: { PermissionsBoundaryArn: 'arn:aws:iam::111122223333:policy/other' } },
    ],
    ['another tenant', { Tags: [{ Key: 'slipway:tenant', Value: 'tenant-b' }, ROLE_TAGS[1]] }],
  ])('refuses a role of the same name with %s, creating no function', async (_, differs) => {
    iam.on(CreateRoleCommand).rejects(awsError('EntityAlreadyExistsException'));
    iam.on(GetRoleCommand).resolves({
      Role: {
        Arn: ROLE_ARN,
        Path: '/slipway-hosted/',
        PermissionsBoundary: { PermissionsBoundaryArn: settings.roleBoundaryArn },
        Tags: ROLE_TAGS,
        ...differs,
      } as never,
    });

    const failure = hosting.host(request());

    await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
    await expect(failure).rejects.toThrow(/is not this deployment's/);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(0);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
  });

  it.each([
    ['without the tenant', undefined],
    ['with a tenant IAM cannot tag a role with (a policy variable in it)', 'odd$' + '{aws:username}'],
  ])('refuses to host %s, creating nothing', async (_, tenant) => {
    const failure = hosting.host(request({ tenant }));

    await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
    await expect(failure).rejects.toThrow(/needs the tenant/);
    expect(iam.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
  });

  it('tries again while Lambda cannot see the new role yet, every 3 s for a minute', async () => {
    const notYet = awsError(
      'InvalidParameterValueException',
      'The role defined for the function cannot be assumed by Lambda.',
    );
    lambda
      .on(CreateFunctionCommand)
      .rejectsOnce(notYet)
      .rejectsOnce(notYet)
      .resolves({ FunctionArn: functionArn(nameOf('orders')) });

    await hosting.host(request());

    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3);
    expect(sleep.mock.calls).toEqual([[3000], [3000]]);

    lambda.on(CreateFunctionCommand).rejects(notYet);
    await expect(hosting.host(request())).rejects.toThrow(/cannot be assumed/);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(3 + 21);
  });
});

describe('AWS hosting: event applications', () => {
  const name = nameOf('orders');

  beforeEach(() => {
    sns.on(CreateTopicCommand).resolves({ TopicArn: topicArn(name) });
    sns.on(SubscribeCommand).resolves({ SubscriptionArn: `${topicArn(name)}:sub-1` });
    sqs.on(CreateQueueCommand).resolves({ QueueUrl: queueUrl(name) });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: queueArn(name) } });
    sqs.on(SetQueueAttributesCommand).resolves({});
  });

  it('feeds the function from a queue subscribed to a topic, reported as the topic', async () => {
    const result = await hosting.host(request({ applicationType: 'event', endpoint: 'events' }));

    expect(result).toEqual({ topic: topicArn(name) });
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.Environment?.Variables).toMatchObject(
      {
        AWS_LWA_PASS_THROUGH_PATH: '/.slipway/events',
        SLIPWAY_EVENT_ENDPOINT: '/events',
        AWS_LWA_READINESS_CHECK_PATH: '/events',
      },
    );
    expect(lambda.commandCalls(CreateFunctionUrlConfigCommand)).toHaveLength(0);
    expect(sns.commandCalls(CreateTopicCommand)[0]?.args[0].input).toEqual({
      Name: name,
      Tags: [
        { Key: 'slipway:deployment', Value: DEPLOYMENT },
        { Key: 'slipway:build', Value: BUILD },
        { Key: 'slipway:application', Value: 'orders' },
      ],
    });
    expect(sqs.commandCalls(CreateQueueCommand)[0]?.args[0].input).toEqual({
      QueueName: name,
      Attributes: { VisibilityTimeout: '1800' },
      tags: tags('orders'),
    });
    const policyInput = sqs.commandCalls(SetQueueAttributesCommand)[0]?.args[0].input;
    expect(policyInput?.QueueUrl).toBe(queueUrl(name));
    expect(JSON.parse(policyInput?.Attributes?.Policy ?? '{}')).toEqual({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'slipway-topic',
          Effect: 'Allow',
          Principal: { Service: 'sns.amazonaws.com' },
          Action: 'sqs:SendMessage',
          Resource: queueArn(name),
          Condition: { ArnEquals: { 'aws:SourceArn': topicArn(name) } },
        },
        {
          Sid: 'slipway-deployment-role',
          Effect: 'Deny',
          Principal: '*',
          Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
          Resource: queueArn(name),
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLE_ARN } },
        },
      ],
    });
    expect(sns.commandCalls(SubscribeCommand)[0]?.args[0].input).toEqual({
      TopicArn: topicArn(name),
      Protocol: 'sqs',
      Endpoint: queueArn(name),
      Attributes: { RawMessageDelivery: 'true' },
      ReturnSubscriptionArn: true,
    });
    expect(lambda.commandCalls(ListEventSourceMappingsCommand)[0]?.args[0].input).toMatchObject({
      EventSourceArn: queueArn(name),
      FunctionName: name,
    });
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)[0]?.args[0].input).toEqual({
      EventSourceArn: queueArn(name),
      FunctionName: name,
      BatchSize: 1,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      Enabled: true,
    });
  });

  it('reuses the queue and the mapping an earlier attempt made', async () => {
    sqs.on(CreateQueueCommand).rejects(awsError('QueueNameExists'));
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: queueUrl(name) });
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [{ UUID: 'esm-1' }] });

    const result = await hosting.host(request({ applicationType: 'event' }));

    expect(result).toEqual({ topic: topicArn(name) });
    expect(sqs.commandCalls(GetQueueUrlCommand)[0]?.args[0].input).toEqual({ QueueName: name });
    expect(sqs.commandCalls(SetQueueAttributesCommand)).toHaveLength(1);
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(0);
  });

  it('maps the queue once the new role’s policy shows, trying again while Lambda says the role cannot read it', async () => {
    lambda
      .on(CreateEventSourceMappingCommand)
      .rejectsOnce(
        awsError(
          'InvalidParameterValueException',
          'The provided execution role does not have permissions to call ReceiveMessage on SQS',
        ),
      )
      .resolves({ UUID: 'esm-1' });

    await expect(hosting.host(request({ applicationType: 'event' }))).resolves.toEqual({
      topic: topicArn(name),
    });
    expect(lambda.commandCalls(CreateEventSourceMappingCommand)).toHaveLength(2);
    expect(sleep).toHaveBeenCalledTimes(1);
  });

  it('treats a mapping created concurrently as made', async () => {
    lambda.on(CreateEventSourceMappingCommand).rejects(awsError('ResourceConflictException'));

    await expect(hosting.host(request({ applicationType: 'event' }))).resolves.toEqual({
      topic: topicArn(name),
    });
  });
});

describe('AWS hosting: jobs', () => {
  const name = nameOf('nightly');
  const job = (schedule?: string) =>
    request({ applicationName: 'nightly', applicationType: 'job', endpoint: '/run', schedule });

  beforeEach(() => {
    scheduler.on(CreateScheduleGroupCommand).resolves({ ScheduleGroupArn: 'arn:group' });
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });
  });

  it('schedules the function in the deployment’s group with the converted cron', async () => {
    const result = await hosting.host(job('*/5 * * * *'));

    expect(result).toEqual({ schedule: '*/5 * * * *' });
    expect(lambda.commandCalls(CreateFunctionCommand)[0]?.args[0].input.Environment?.Variables).toMatchObject(
      {
        AWS_LWA_PASS_THROUGH_PATH: '/run',
      },
    );
    expect(scheduler.commandCalls(CreateScheduleGroupCommand)[0]?.args[0].input).toEqual({
      Name: `slipway-${DEPLOYMENT}`,
      Tags: [{ Key: 'slipway:deployment', Value: DEPLOYMENT }],
    });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toEqual({
      Name: name,
      GroupName: `slipway-${DEPLOYMENT}`,
      ScheduleExpression: 'cron(*/5 * * * ? *)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: { Arn: functionArn(name), RoleArn: settings.schedulerRoleArn, Input: '{}' },
    });
  });

  it('updates the schedule and keeps the group an earlier attempt made', async () => {
    scheduler.on(CreateScheduleGroupCommand).rejects(awsError('ConflictException'));
    scheduler.on(CreateScheduleCommand).rejects(awsError('ConflictException'));
    scheduler.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:schedule' });

    await hosting.host(job('0 9 * * 1'));

    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toMatchObject({
      Name: name,
      GroupName: `slipway-${DEPLOYMENT}`,
      ScheduleExpression: 'cron(0 9 ? * 2 *)',
      Target: { Arn: functionArn(name), RoleArn: settings.schedulerRoleArn },
    });
  });

  it('refuses a schedule with seconds, naming it, before creating anything', async () => {
    const failure = hosting.host(job('*/10 * * * * *'));

    await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
    await expect(failure).rejects.toThrow(/'nightly'.*schedule '\*\/10 \* \* \* \* \*'.*no seconds/);
    expect(lambda.commandCalls(CreateFunctionCommand)).toHaveLength(0);
  });

  it('refuses a job without a schedule', async () => {
    await expect(hosting.host(job())).rejects.toThrow(/needs a schedule/);
  });
});

describe('cron conversion for EventBridge Scheduler', () => {
  it.each([
    ['*/5 * * * *', 'cron(*/5 * * * ? *)'],
    ['0 9 * * 1', 'cron(0 9 ? * 2 *)'],
    ['0 9 * * 0', 'cron(0 9 ? * 1 *)'],
    ['0 9 * * 7', 'cron(0 9 ? * 1 *)'],
    ['0 9 * * 1-5', 'cron(0 9 ? * 2-6 *)'],
    ['0 9 * * 5-7', 'cron(0 9 ? * 1,6,7 *)'],
    ['0 9 * * mon,wed,FRI', 'cron(0 9 ? * 2,4,6 *)'],
    ['0 9 * * */2', 'cron(0 9 ? * 1,3,5,7 *)'],
    ['0 9 * * 5L', 'cron(0 9 ? * 6L *)'],
    ['0 9 * * 1#2', 'cron(0 9 ? * 2#2 *)'],
    ['30 2 1 * *', 'cron(30 2 1 * ? *)'],
    ['0 0 15 jan *', 'cron(0 0 15 JAN ? *)'],
    ['0 0 * * ?', 'cron(0 0 * * ? *)'],
    ['@daily', 'cron(0 0 * * ? *)'],
    ['@weekly', 'cron(0 0 ? * 1 *)'],
  ])('%s → %s', (cron, expected) => {
    expect(toAwsCron(cron)).toBe(expected);
  });

  it.each([
    ['0 0 9 * * 1', /no seconds/],
    ['0 9 * *', /5 fields/],
    ['0 9 1 * 1', /restrict only one/],
    ['0 9 * * 8', /not a day of the week/],
    ['0 9 * * 5-2', /not a valid range/],
  ])('refuses %s', (cron, reason) => {
    expect(() => toAwsCron(cron)).toThrow(reason);
  });
});

describe('AWS hosting: assets', () => {
  const prefix = `builds/${DEPLOYMENT}/${BUILD}/web/`;

  it('copies every extracted file into the assets bucket under the deployment’s prefix, page by page', async () => {
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: `${prefix}index.html` }, { Key: `${prefix}img/` }],
        IsTruncated: true,
        NextContinuationToken: 'next',
      })
      .resolvesOnce({ Contents: [{ Key: `${prefix}img/logo one.png` }] });
    s3.on(CopyObjectCommand).resolves({});

    const result = await hosting.host(
      request({ applicationName: 'web', applicationType: 'assets', bundle: prefix }),
    );

    // The distribution serves the assets bucket at its keys, and a path ending in / as its index.html.
    expect(result).toEqual({ url: `https://cdn.example.com/hosted-assets/${DEPLOYMENT}/web/` });
    // The S3 paginator reuses one input object, so the first call shows the last token too.
    const listed = s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input);
    expect(listed).toHaveLength(2);
    expect(listed[1]).toMatchObject({
      Bucket: 'slipway-artifacts',
      Prefix: prefix,
      ContinuationToken: 'next',
    });
    expect(s3.commandCalls(CopyObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: 'slipway-hosted-assets',
        Key: `hosted-assets/${DEPLOYMENT}/web/index.html`,
        CopySource: `slipway-artifacts/${prefix}index.html`,
      },
      {
        Bucket: 'slipway-hosted-assets',
        Key: `hosted-assets/${DEPLOYMENT}/web/img/logo one.png`,
        CopySource: `slipway-artifacts/${prefix}img/logo%20one.png`,
      },
    ]);
    expect(lambda.calls()).toHaveLength(0);
  });

  it('requires the bundle to be a prefix of extracted files', async () => {
    const failure = hosting.host(
      request({ applicationName: 'web', applicationType: 'assets', bundle: 'web.zip' }),
    );

    await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
    await expect(failure).rejects.toThrow(/prefix of extracted files/);
  });

  it('fails when there is nothing under the prefix', async () => {
    s3.on(ListObjectsV2Command).resolves({});

    await expect(
      hosting.host(request({ applicationName: 'web', applicationType: 'assets', bundle: prefix })),
    ).rejects.toThrow(/no files under/);
  });
});

it('refuses an application type it cannot host', async () => {
  const failure = hosting.host(request({ applicationType: 'worker' as HostingRequest['applicationType'] }));

  await expect(failure).rejects.toBeInstanceOf(ApplicationHostingFailed);
  await expect(failure).rejects.toThrow(/type 'worker'/);
});

describe('AWS hosting: stop', () => {
  const group = `slipway-${DEPLOYMENT}`;
  const tagged = (arn: string, build: string, app: string) => ({
    ResourceARN: arn,
    Tags: Object.entries(tags(app, build)).map(([Key, Value]) => ({ Key, Value })),
  });
  const oldApi = nameOf('api', OLD_BUILD);
  const oldEvents = nameOf('events', OLD_BUILD);
  const newApi = nameOf('api');
  const newEvents = nameOf('events');
  const newJob = nameOf('job');
  const oldJob = nameOf('job', OLD_BUILD);

  /** What the tagging API knows of both builds. */
  const everything = [
    tagged(functionArn(oldApi), OLD_BUILD, 'api'),
    tagged(functionArn(oldEvents), OLD_BUILD, 'events'),
    tagged(topicArn(oldEvents), OLD_BUILD, 'events'),
    tagged(queueArn(oldEvents), OLD_BUILD, 'events'),
    tagged(functionArn(newApi), BUILD, 'api'),
    tagged(functionArn(newJob), BUILD, 'job'),
  ];
  const ofBuild = (build: string) =>
    everything.filter((r) => r.Tags.some((t) => t.Key === 'slipway:build' && t.Value === build));
  const deleted = {
    functions: () => lambda.commandCalls(DeleteFunctionCommand).map((c) => c.args[0].input.FunctionName),
    topics: () => sns.commandCalls(DeleteTopicCommand).map((c) => c.args[0].input.TopicArn),
    queues: () => sqs.commandCalls(DeleteQueueCommand).map((c) => c.args[0].input.QueueUrl),
    schedules: () => scheduler.commandCalls(DeleteScheduleCommand).map((c) => c.args[0].input),
  };

  beforeEach(() => {
    lambda.on(ListFunctionsCommand).resolves({ Functions: [] });
    lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
    lambda
      .on(ListEventSourceMappingsCommand, { FunctionName: oldEvents })
      .resolves({ EventSourceMappings: [{ UUID: 'esm-old' }] });
    lambda.on(DeleteEventSourceMappingCommand).resolves({});
    lambda.on(DeleteFunctionCommand).resolves({});
    sns.on(DeleteTopicCommand).resolves({});
    sqs.on(GetQueueUrlCommand).rejects(awsError('QueueDoesNotExist'));
    sqs.on(GetQueueUrlCommand, { QueueName: oldEvents }).resolves({ QueueUrl: queueUrl(oldEvents) });
    sqs.on(DeleteQueueCommand).resolves({});
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [] });
    scheduler.on(DeleteScheduleCommand).resolves({});
    scheduler.on(DeleteScheduleGroupCommand).resolves({});
    s3.on(ListObjectsV2Command).resolves({});
    s3.on(DeleteObjectsCommand).resolves({});
    iam.on(DeleteRolePolicyCommand).resolves({});
    iam.on(DeleteRoleCommand).resolves({});
  });

  it('removes one build’s resources, found by their tags, and leaves the group and the assets', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: ofBuild(OLD_BUILD) });
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: oldJob }] });

    await hosting.stop({ deploymentId: DEPLOYMENT, buildId: OLD_BUILD });

    expect(tagging.commandCalls(GetResourcesCommand)[0]?.args[0].input).toEqual({
      TagFilters: [
        { Key: 'slipway:deployment', Values: [DEPLOYMENT] },
        { Key: 'slipway:build', Values: [OLD_BUILD] },
      ],
      ResourceTypeFilters: ['lambda:function', 'sns', 'sqs'],
    });
    expect(scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input).toEqual({
      GroupName: group,
      NamePrefix: `slipway-${short(DEPLOYMENT)}-${short(OLD_BUILD)}-`,
    });
    expect(deleted.schedules()).toEqual([{ Name: oldJob, GroupName: group }]);
    expect(lambda.commandCalls(DeleteEventSourceMappingCommand).map((c) => c.args[0].input)).toEqual([
      { UUID: 'esm-old' },
    ]);
    expect(deleted.functions().sort()).toEqual([oldApi, oldEvents].sort());
    expect(deleted.topics()).toContain(topicArn(oldEvents));
    expect(deleted.queues()).toEqual([queueUrl(oldEvents)]);
    expect(scheduler.commandCalls(DeleteScheduleGroupCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('removes every build but the one kept', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: everything });
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: oldJob }, { Name: newJob }] });

    await hosting.stop({ deploymentId: DEPLOYMENT, exceptBuildId: BUILD });

    expect(tagging.commandCalls(GetResourcesCommand)[0]?.args[0].input.TagFilters).toEqual([
      { Key: 'slipway:deployment', Values: [DEPLOYMENT] },
    ]);
    expect(scheduler.commandCalls(ListSchedulesCommand)[0]?.args[0].input).toEqual({
      GroupName: group,
      NamePrefix: `slipway-${short(DEPLOYMENT)}-`,
    });
    expect(deleted.schedules()).toEqual([{ Name: oldJob, GroupName: group }]);
    expect(deleted.functions().sort()).toEqual([oldApi, oldEvents].sort());
    expect(deleted.topics()).not.toContain(topicArn(newEvents));
    expect(deleted.functions()).not.toContain(newApi);
    expect(scheduler.commandCalls(DeleteScheduleGroupCommand)).toHaveLength(0);
    expect(s3.commandCalls(DeleteObjectsCommand)).toHaveLength(0);
    expect(iam.calls()).toHaveLength(0);
  });

  it('deletes the deployment’s role with the whole deployment, once its functions are gone', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: everything });
    let functionsLeft: number | undefined;
    iam.on(DeleteRoleCommand).callsFake(async () => {
      functionsLeft = 4 - lambda.commandCalls(DeleteFunctionCommand).length;
      return {};
    });

    await hosting.stop({ deploymentId: DEPLOYMENT });

    expect(iam.commandCalls(DeleteRolePolicyCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: ROLE_NAME, PolicyName: 'hosted-applications' },
    ]);
    expect(iam.commandCalls(DeleteRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleName: ROLE_NAME },
    ]);
    expect(functionsLeft).toBe(0);
  });

  it('removes the whole deployment: group, every resource on every page, and the hosted assets', async () => {
    tagging
      .on(GetResourcesCommand)
      .resolvesOnce({ ResourceTagMappingList: everything.slice(0, 3), PaginationToken: 'page-2' })
      .resolvesOnce({ ResourceTagMappingList: everything.slice(3) });
    s3.on(ListObjectsV2Command)
      .resolvesOnce({
        Contents: [{ Key: `hosted-assets/${DEPLOYMENT}/web/index.html` }],
        IsTruncated: true,
        NextContinuationToken: 'more',
      })
      .resolvesOnce({ Contents: [{ Key: `hosted-assets/${DEPLOYMENT}/web/app.js` }] });

    await hosting.stop({ deploymentId: DEPLOYMENT });

    expect(tagging.commandCalls(GetResourcesCommand)[1]?.args[0].input.PaginationToken).toBe('page-2');
    expect(scheduler.commandCalls(DeleteScheduleGroupCommand)[0]?.args[0].input).toEqual({ Name: group });
    expect(scheduler.commandCalls(ListSchedulesCommand)).toHaveLength(0);
    expect(deleted.functions().sort()).toEqual([oldApi, oldEvents, newApi, newJob].sort());
    expect(deleted.queues()).toEqual([queueUrl(oldEvents)]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input).toMatchObject({
      Bucket: 'slipway-hosted-assets',
      Prefix: `hosted-assets/${DEPLOYMENT}/`,
      ContinuationToken: 'more',
    });
    expect(s3.commandCalls(DeleteObjectsCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: 'slipway-hosted-assets',
        Delete: { Objects: [{ Key: `hosted-assets/${DEPLOYMENT}/web/index.html` }], Quiet: true },
      },
      {
        Bucket: 'slipway-hosted-assets',
        Delete: { Objects: [{ Key: `hosted-assets/${DEPLOYMENT}/web/app.js` }], Quiet: true },
      },
    ]);
  });

  it('also removes a just-made function the tagging API does not list yet', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    lambda
      .on(ListFunctionsCommand)
      .resolvesOnce({
        Functions: [{ FunctionName: 'someone-else', FunctionArn: functionArn('someone-else') }],
        NextMarker: 'm',
      })
      .resolvesOnce({
        Functions: [
          { FunctionName: newEvents, FunctionArn: functionArn(newEvents) },
          { FunctionName: oldApi, FunctionArn: functionArn(oldApi) },
        ],
      });
    sqs.on(GetQueueUrlCommand, { QueueName: newEvents }).resolves({ QueueUrl: queueUrl(newEvents) });

    await hosting.stop({ deploymentId: DEPLOYMENT, buildId: BUILD });

    expect(lambda.commandCalls(ListFunctionsCommand)[1]?.args[0].input).toEqual({ Marker: 'm' });
    expect(deleted.functions()).toEqual([newEvents]);
    expect(deleted.topics()).toEqual([topicArn(newEvents)]);
    expect(deleted.queues()).toEqual([queueUrl(newEvents)]);
  });

  it('treats what is already gone as stopped', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: ofBuild(OLD_BUILD) });
    scheduler.on(ListSchedulesCommand).rejects(awsError('ResourceNotFoundException'));
    scheduler.on(DeleteScheduleGroupCommand).rejects(awsError('ResourceNotFoundException'));
    lambda.on(ListEventSourceMappingsCommand).rejects(awsError('ResourceNotFoundException'));
    lambda.on(DeleteFunctionCommand).rejects(awsError('ResourceNotFoundException'));
    sns.on(DeleteTopicCommand).rejects(awsError('NotFoundException'));
    sqs.on(GetQueueUrlCommand).rejects(awsError('QueueDoesNotExist'));
    iam.on(DeleteRolePolicyCommand).rejects(awsError('NoSuchEntityException'));
    iam.on(DeleteRoleCommand).rejects(awsError('NoSuchEntityException'));

    await expect(hosting.stop({ deploymentId: DEPLOYMENT, buildId: OLD_BUILD })).resolves.toBeUndefined();
    await expect(hosting.stop({ deploymentId: DEPLOYMENT })).resolves.toBeUndefined();
    expect(deleted.queues()).toEqual([]);
  });

  it('lets any other failure through so the step can be retried', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: ofBuild(OLD_BUILD) });
    lambda.on(DeleteFunctionCommand).rejects(awsError('TooManyRequestsException'));

    await expect(hosting.stop({ deploymentId: DEPLOYMENT, buildId: OLD_BUILD })).rejects.toThrow(
      'TooManyRequestsException',
    );
  });
});

describe('AWS hosting: the default readiness wait', () => {
  const withSdkWaiters = awsHosting(settings);

  it('goes on once the function is Active and its last update succeeded', async () => {
    lambda
      .on(GetFunctionCommand)
      .resolves({ Configuration: { State: 'Active', LastUpdateStatus: 'Successful' } });

    await expect(withSdkWaiters.host(request())).resolves.toEqual({
      url: 'https://abc123.lambda-url.eu-west-1.on.aws/service',
    });
  });

  it('reports a failed function by its state, without quoting its configuration', async () => {
    lambda.on(GetFunctionCommand).resolves({
      Configuration: {
        State: 'Failed',
        StateReason: 'The layer could not be extracted',
        LastUpdateStatus: 'Failed',
        Environment: { Variables: { CTP_CLIENT_SECRET: SECRET } },
      },
    });

    const failure = await withSdkWaiters.host(request()).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(ApplicationHostingFailed);
    expect((failure as Error).message).toContain('state Failed');
    expect((failure as Error).message).toContain('The layer could not be extracted');
    expect((failure as Error).message).not.toContain(SECRET);
  });
});
