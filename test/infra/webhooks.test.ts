/**
 * The webhooks' AWS half, in the synthesized template (CDK assertions): nothing runs it locally
 * (`npm start` feeds the same fan-out from its in-process bus, test/integration/webhooks.test.ts).
 * A rule on the stack's bus → an encrypted queue with a dead-letter queue → the fan-out; the
 * dispatcher on a one-minute schedule, invoked by the fan-out and the API, in no VPC.
 */
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/app.ts';

let stateless: Template;

type Resource = { Properties: Record<string, JsonValue> };
// biome-ignore lint/suspicious/noExplicitAny: CloudFormation properties are checked field by field
type JsonValue = any;

const logicalId = (type: string, pattern: RegExp): string => {
  const ids = Object.keys(stateless.findResources(type)).filter((id) => pattern.test(id));
  expect(ids, `${type} ${pattern}`).toHaveLength(1);
  return ids[0] as string;
};

const resource = (type: string, pattern: RegExp): Resource =>
  stateless.findResources(type)[logicalId(type, pattern)] as Resource;

/** Every statement of the policies attached to a function's role. */
const statementsOf = (fnPattern: RegExp): JsonValue[] => {
  const role = resource('AWS::Lambda::Function', fnPattern).Properties.Role['Fn::GetAtt'][0];
  return Object.values(stateless.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(role))
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
};

const FAN_OUT = /^WebhookFanOutFunction[0-9A-F]{8}$/;
const DISPATCHER = /^WebhookDispatcherFunction[0-9A-F]{8}$/;
const API = /^WebhooksFunction[0-9A-F]{8}$/;

beforeAll(() => {
  // Skip bundling: these tests look at the template, not the code.
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  stateless = Template.fromStack(buildApp(app).stateless);
}, 60_000);

describe('webhooks on AWS', () => {
  it('routes the domain events webhooks announce from the bus to a queue, which feeds the fan-out', () => {
    const bus = logicalId('AWS::Events::EventBus', /^Events/);
    const queue = logicalId('AWS::SQS::Queue', /^WebhookEvents/);
    const deadLetters = logicalId('AWS::SQS::Queue', /^WebhookDeadLetters/);

    stateless.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: bus },
      EventPattern: {
        source: ['slipway'],
        'detail-type': ['DeploymentStatusChanged', 'ApplicationHealthChanged', 'ConnectorPublished'],
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queue, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deadLetters, 'Arn'] } },
          RetryPolicy: { MaximumRetryAttempts: 8 },
        }),
      ],
    });
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queue, 'Arn'] },
      FunctionName: { Ref: logicalId('AWS::Lambda::Function', FAN_OUT) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('keeps a message that fails five times in an encrypted dead-letter queue, TLS only', () => {
    const queue = resource('AWS::SQS::Queue', /^WebhookEvents/).Properties;
    const deadLetters = resource('AWS::SQS::Queue', /^WebhookDeadLetters/).Properties;

    expect(queue).toMatchObject({
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 180,
      RedrivePolicy: {
        maxReceiveCount: 5,
        deadLetterTargetArn: { 'Fn::GetAtt': [expect.any(String), 'Arn'] },
      },
    });
    expect(deadLetters).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    for (const pattern of [/^WebhookEventsPolicy/, /^WebhookDeadLettersPolicy/])
      expect(JSON.stringify(resource('AWS::SQS::QueuePolicy', pattern).Properties)).toContain(
        '"aws:SecureTransport":"false"',
      );
  });

  it('runs the dispatcher every minute, outside any VPC, and lets the fan-out and the API invoke it', () => {
    const dispatcher = logicalId('AWS::Lambda::Function', DISPATCHER);
    const fn = resource('AWS::Lambda::Function', DISPATCHER).Properties;

    stateless.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [dispatcher, 'Arn'] } })],
    });
    expect(fn.VpcConfig).toBeUndefined();
    expect(fn.Timeout).toBe(120);
    for (const caller of [FAN_OUT, API]) {
      expect(resource('AWS::Lambda::Function', caller).Properties.Environment.Variables).toMatchObject({
        SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION: { Ref: dispatcher },
      });
      expect(statementsOf(caller)).toContainEqual(
        expect.objectContaining({ Action: 'lambda:InvokeFunction', Effect: 'Allow' }),
      );
    }
  });

  it('gives the secrets key to seal (the API) and to open (the dispatcher), and the fan-out none', () => {
    // The table's key is granted too (DynamoDB decrypts on the caller's behalf): only the secrets key counts here.
    const onSecretsKey = (pattern: RegExp) =>
      statementsOf(pattern)
        .filter((s) => JSON.stringify(s.Resource).includes('SecretsKey'))
        .flatMap((s) => [s.Action].flat());

    expect(onSecretsKey(API)).toEqual(['kms:GenerateDataKey']);
    expect(onSecretsKey(DISPATCHER)).toEqual(['kms:Decrypt']);
    expect(onSecretsKey(FAN_OUT)).toEqual([]);
  });

  it('never lets the deployed stack deliver to loopback (the setting is for npm start)', () => {
    for (const fn of Object.values(stateless.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.Environment?.Variables?.SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK).toBeUndefined();
  });
});
