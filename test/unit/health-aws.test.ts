/**
 * Health checks on AWS: the schedule the hosting adapter makes for an application that
 * declares a health check, the probe that reaches the application's function through Lambda
 * Invoke, the run of checks kept in the table, and the handler's check of its input.
 *
 * Lambda and EventBridge Scheduler have no local stand-in (the local stack runs hosted
 * applications as processes and checks them itself), so those adapters are checked by the calls
 * they make, with aws-sdk-client-mock. The table is DynamoDB Local, the run's own.
 */
import { createHash, randomUUID } from 'node:crypto';
import { CreateRoleCommand, IAMClient, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  InvokeCommand,
  type InvokeCommandOutput,
  LambdaClient,
  ListEventSourceMappingsCommand,
  ListFunctionsCommand,
} from '@aws-sdk/client-lambda';
import {
  GetResourcesCommand,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import {
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  ListSchedulesCommand,
  SchedulerClient,
  UpdateScheduleCommand,
} from '@aws-sdk/client-scheduler';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { healthCheckEvent, lambdaHealthProber } from '../../functions/adapters/hosting/aws/health-prober.ts';
import { dynamoHealthStates } from '../../functions/adapters/hosting/aws/health-states.ts';
import { type AwsHostingSettings, awsHosting } from '../../functions/adapters/hosting/aws/hosting.ts';
import type { HealthCheck } from '../../functions/core/hosting/health.ts';
import type { HostingRequest } from '../../functions/core/hosting/ports.ts';
import { onSchedule } from '../../functions/handlers/health-probe.ts';

const lambda = mockClient(LambdaClient);
const iam = mockClient(IAMClient);
const sns = mockClient(SNSClient);
const sqs = mockClient(SQSClient);
const scheduler = mockClient(SchedulerClient);
const tagging = mockClient(ResourceGroupsTaggingAPIClient);

const PROBE_ARN = 'arn:aws:lambda:eu-west-1:111122223333:function:SlipwayStateless-HealthProbe';
const settings: AwsHostingSettings = {
  bucket: 'slipway-artifacts',
  assetsBucket: 'slipway-hosted-assets',
  roleBoundaryArn: 'arn:aws:iam::111122223333:policy/slipway-hosted-boundary',
  schedulerRoleArn: 'arn:aws:iam::111122223333:role/slipway-scheduler',
  webAdapterLayerArn: 'arn:aws:lambda:eu-west-1:753240598075:layer:LambdaAdapterLayerArm64:25',
  assetsPrefix: 'hosted-assets/',
  assetsBaseUrl: 'https://cdn.example.com/',
  namePrefix: 'slipway',
  healthProbeArn: PROBE_ARN,
};

const DEPLOYMENT = '0198c0de-0000-7000-8000-000000000001';
const BUILD = 'b5a1d2c3-0000-4000-8000-00000000000b';
const SECRET = 's3cr3t-canary-value';
const GROUP = `slipway-${DEPLOYMENT}`;
const short = (id: string) => createHash('sha256').update(id).digest('hex').slice(0, 8);
const nameOf = (app: string) => `slipway-${short(DEPLOYMENT)}-${short(BUILD)}-${app}`;
const awsError = (name: string) => Object.assign(new Error(name), { name });

const request = (overrides: Partial<HostingRequest> = {}): HostingRequest => ({
  tenant: 'tenant-a',
  projectId: 'p-1',
  deploymentId: DEPLOYMENT,
  buildId: BUILD,
  applicationName: 'orders',
  applicationType: 'service',
  bundle: `builds/${DEPLOYMENT}/${BUILD}/orders.zip`,
  endpoint: '/service',
  healthCheckPath: 'health',
  healthCheck: { intervalSeconds: 5, unhealthyThreshold: 2 },
  environment: { CTP_CLIENT_SECRET: SECRET },
  secretValues: [SECRET],
  ...overrides,
});

const hostingWith = (overrides: Partial<AwsHostingSettings> = {}) =>
  awsHosting({ ...settings, ...overrides }, { waitUntilReady: async () => {}, sleep: async () => {} });

beforeEach(() => {
  for (const mock of [lambda, iam, sns, sqs, scheduler, tagging]) mock.reset();
  iam.on(CreateRoleCommand).resolves({ Role: { Arn: 'arn:aws:iam::111122223333:role/r' } as never });
  iam.on(PutRolePolicyCommand).resolves({});
  lambda.on(CreateFunctionCommand).callsFake(async (input: { FunctionName: string }) => ({
    FunctionArn: `arn:aws:lambda:eu-west-1:111122223333:function:${input.FunctionName}`,
  }));
  lambda
    .on(CreateFunctionUrlConfigCommand)
    .resolves({ FunctionUrl: 'https://abc.lambda-url.eu-west-1.on.aws/' });
  lambda.on(AddPermissionCommand).resolves({});
  lambda.on(ListEventSourceMappingsCommand).resolves({ EventSourceMappings: [] });
  lambda.on(CreateEventSourceMappingCommand).resolves({ UUID: 'esm-1' });
  sns.on(CreateTopicCommand).resolves({ TopicArn: 'arn:aws:sns:eu-west-1:111122223333:t' });
  sns.on(SubscribeCommand).resolves({});
  sqs.on(CreateQueueCommand).resolves({ QueueUrl: 'https://sqs/q' });
  sqs
    .on(GetQueueAttributesCommand)
    .resolves({ Attributes: { QueueArn: 'arn:aws:sqs:eu-west-1:111122223333:q' } });
  sqs.on(SetQueueAttributesCommand).resolves({});
  scheduler.on(CreateScheduleGroupCommand).resolves({});
  scheduler.on(CreateScheduleCommand).resolves({});
});

describe('AWS hosting: the health check schedule', () => {
  // The region the adapter's clients make resources in, which the role's policy names (the
  // table's DynamoDB Local keeps a database per region: only here).
  beforeEach(() => void vi.stubEnv('AWS_REGION', 'eu-west-1'));
  afterEach(() => void vi.unstubAllEnvs());

  it('schedules the probe once a minute for a service, its check in the input and no environment value', async () => {
    await hostingWith().host(request());

    expect(scheduler.commandCalls(CreateScheduleGroupCommand)[0]?.args[0].input.Name).toBe(GROUP);
    const input = scheduler.commandCalls(CreateScheduleCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Name: nameOf('orders'),
      GroupName: GROUP,
      ScheduleExpression: 'rate(1 minute)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      Target: {
        Arn: PROBE_ARN,
        RoleArn: settings.schedulerRoleArn,
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      },
    });
    // EventBridge Scheduler's shortest rate is a minute: a shorter interval is 60 s on AWS.
    expect(JSON.parse(String(input?.Target?.Input))).toEqual({
      projectId: 'p-1',
      deploymentId: DEPLOYMENT,
      buildId: BUILD,
      applicationName: 'orders',
      target: nameOf('orders'),
      check: { path: '/health', intervalSeconds: 60, timeoutSeconds: 5, unhealthyThreshold: 2 },
    });
    expect(input?.Target?.Input).not.toContain(SECRET);
  });

  it('schedules it for an event application too, and updates the schedule an earlier attempt made', async () => {
    scheduler.on(CreateScheduleCommand).rejects(awsError('ConflictException'));
    scheduler.on(UpdateScheduleCommand).resolves({});

    await hostingWith().host(request({ applicationType: 'event', healthCheck: { intervalSeconds: 20 } }));

    const input = scheduler.commandCalls(UpdateScheduleCommand)[0]?.args[0].input;
    expect(input?.Target?.Arn).toBe(PROBE_ARN);
    expect(JSON.parse(String(input?.Target?.Input)).check).toEqual({
      path: '/health',
      intervalSeconds: 60,
      timeoutSeconds: 5,
      unhealthyThreshold: 3,
    });
  });

  it.each([
    ['no health check', request({ healthCheckPath: undefined, healthCheck: undefined }), settings],
    ['a stack without the probe', request(), { ...settings, healthProbeArn: undefined }],
  ])('schedules nothing for an application with %s', async (_, r, s) => {
    await hostingWith(s).host(r);

    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('removes the schedule with the application’s build', async () => {
    tagging.on(GetResourcesCommand).resolves({ ResourceTagMappingList: [] });
    lambda.on(ListFunctionsCommand).resolves({ Functions: [] });
    scheduler.on(ListSchedulesCommand).resolves({ Schedules: [{ Name: nameOf('orders') }] });
    scheduler.on(DeleteScheduleCommand).resolves({});

    await hostingWith().stop({ deploymentId: DEPLOYMENT, buildId: BUILD });

    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({
      Name: nameOf('orders'),
      GroupName: GROUP,
    });
  });
});

const CHECK: HealthCheck = { path: '/health', intervalSeconds: 60, timeoutSeconds: 5, unhealthyThreshold: 3 };
/** A function's answer as the SDK hands it over (only its bytes are read). */
const payload = (value: unknown) =>
  new TextEncoder().encode(JSON.stringify(value)) as unknown as InvokeCommandOutput['Payload'];

describe('AWS health probe: one check through Lambda Invoke', () => {
  it('invokes the function with an HTTP API GET of the path and answers the status the Web Adapter returned', async () => {
    lambda
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, Payload: payload({ statusCode: 503, body: 'down' }) });

    const outcome = await lambdaHealthProber.probe('slipway-fn', CHECK);

    expect(outcome).toEqual({ status: 503 });
    const input = lambda.commandCalls(InvokeCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ FunctionName: 'slipway-fn', InvocationType: 'RequestResponse' });
    const event = JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/health',
      rawQueryString: '',
      requestContext: { http: { method: 'GET', path: '/health' }, stage: '$default' },
      isBase64Encoded: false,
    });
    expect(healthCheckEvent(CHECK).requestContext.requestId).not.toBe(event.requestContext.requestId);
  });

  it.each([
    [
      'a function error',
      { FunctionError: 'Unhandled', Payload: payload({ errorMessage: 'x' }) },
      'its function failed (Unhandled)',
    ],
    [
      'an answer without a status',
      { Payload: payload({ hello: 1 }) },
      'its function answered no HTTP status',
    ],
  ])('counts %s as a failed check', async (_, answer, detail) => {
    lambda.on(InvokeCommand).resolves(answer);

    expect(await lambdaHealthProber.probe('slipway-fn', CHECK)).toEqual({ error: 'unreachable', detail });
  });

  it('counts no answer within the timeout, and a throttled function, as failed', async () => {
    lambda
      .on(InvokeCommand)
      .rejectsOnce(awsError('AbortError'))
      .rejectsOnce(awsError('TooManyRequestsException'));

    expect(await lambdaHealthProber.probe('slipway-fn', CHECK)).toEqual({ error: 'timeout' });
    expect(await lambdaHealthProber.probe('slipway-fn', CHECK)).toEqual({
      error: 'unreachable',
      detail: 'its function is throttled',
    });
  });

  it('lets a refusal that says nothing of the application through (no permission)', async () => {
    lambda.on(InvokeCommand).rejects(awsError('AccessDeniedException'));

    await expect(lambdaHealthProber.probe('slipway-fn', CHECK)).rejects.toThrow('AccessDeniedException');
  });
});

describe('AWS health probe: the run of checks in the table', () => {
  it('writes conditionally on the version read, so of two overlapping checks only one counts', async () => {
    const states = dynamoHealthStates(() => String(process.env.SLIPWAY_TABLE_NAME));
    const ref = { deploymentId: randomUUID(), buildId: 'b-1', applicationName: 'orders' };

    expect(await states.get(ref)).toBeUndefined();
    expect(await states.put(ref, { consecutiveFailures: 1, unhealthy: false }, 0)).toBe(true);
    expect(await states.put(ref, { consecutiveFailures: 1, unhealthy: false }, 0)).toBe(false);
    expect(await states.put(ref, { consecutiveFailures: 0, unhealthy: true }, 1)).toBe(true);

    expect(await states.get(ref)).toEqual({ state: { consecutiveFailures: 0, unhealthy: true }, version: 2 });
  });
});

describe('the health-probe handler', () => {
  const target = {
    projectId: randomUUID(),
    deploymentId: randomUUID(),
    buildId: 'b-1',
    applicationName: 'orders',
    target: 'slipway-fn',
    check: CHECK,
  };

  it('refuses an input that is not a check', async () => {
    await expect(onSchedule({ ...target, check: { ...CHECK, timeoutSeconds: 0 } })).rejects.toThrow(
      /timeoutSeconds/,
    );
    await expect(onSchedule({ ...target, extra: true })).rejects.toThrow(/extra/);
  });

  it('skips an application whose deployment is gone, without invoking it', async () => {
    expect(await onSchedule(target)).toEqual({ verdict: 'skipped' });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
