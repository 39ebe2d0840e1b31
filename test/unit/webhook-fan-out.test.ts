/**
 * The fan-out as Lambda runs it on AWS: a batch from its SQS queue (each body the EventBridge
 * event the rule put there), partial batch failures, and the asynchronous invocation of the
 * dispatcher. DynamoDB and Lambda are mocked (aws-sdk-client-mock) because this shape only
 * exists on AWS: `npm start` hands the same handler one event at a time, and that path is
 * exercised end to end against DynamoDB Local in test/integration/webhooks.test.ts.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../functions/core/shared/domain-events.ts';
import { fanOutRecords } from '../../functions/handlers/webhook-fan-out.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const lambda = mockClient(LambdaClient);
const previous = process.env.SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION;
process.env.SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION = 'slipway-webhook-dispatcher';

const created = (deploymentId: string): DomainEvent => ({
  type: 'DeploymentStatusChanged',
  tenant: 'acme',
  projectKey: 'shop',
  deploymentId,
  deploymentKey: 'site',
  operationId: 'op-1',
  status: 'Queued',
  version: 1,
  at: '2026-12-07T10:00:00.000Z',
});

/** An SQS record as Lambda gives it, its body the event EventBridge put on the queue. */
const record = (messageId: string, body: unknown) => ({
  messageId,
  receiptHandle: `rh-${messageId}`,
  body: typeof body === 'string' ? body : JSON.stringify(body),
  attributes: {},
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:webhook-events',
  awsRegion: 'us-east-1',
});
const envelope = (detail: DomainEvent) => ({
  version: '0',
  id: 'eb-1',
  source: 'slipway',
  'detail-type': detail.type,
  time: detail.at,
  detail,
});
const batch = (...records: ReturnType<typeof record>[]) => ({ Records: records }) as unknown as SQSEvent;

const SUBSCRIPTION = {
  id: 'sub-1',
  tenant: 'acme',
  scopeKind: 'project',
  projectKey: 'shop',
  url: 'https://hooks.example.com/in',
  events: ['deployment.created', 'deployment.status_changed'],
  active: true,
  secrets: [{ ciphertext: 'v2.kms.x', createdAt: '2026-12-01T00:00:00.000Z' }],
  version: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  lastModifiedAt: '2026-12-01T00:00:00.000Z',
};

beforeEach(() => {
  dynamo.reset();
  lambda.reset();
  dynamo.on(QueryCommand).resolves({ Items: [SUBSCRIPTION] });
  // The deployment is gone (or not found): its id and key stand in for its view.
  dynamo.on(GetCommand).resolves({});
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

afterAll(() => {
  process.env.SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION = previous;
});

describe('the webhook fan-out on AWS (an SQS batch)', () => {
  it('writes a delivery per webhook event, drops what is no domain event, and invokes the dispatcher once', async () => {
    dynamo.on(TransactWriteCommand).resolves({});

    const result = await fanOutRecords(
      batch(record('m-1', envelope(created('d-1'))), record('m-2', '{not json')),
    );
    const puts = dynamo
      .commandCalls(TransactWriteCommand)
      .map((c) => c.args[0].input.TransactItems?.[0]?.Put?.Item as Record<string, unknown>);

    expect(result).toEqual({ batchItemFailures: [] });
    expect(puts.map((p) => p.eventType)).toEqual(['deployment.created', 'deployment.status_changed']);
    expect(JSON.parse(String(puts[1]?.body))).toMatchObject({
      type: 'deployment.status_changed',
      data: { projectKey: 'shop', from: null, to: 'Queued', deployment: { id: 'd-1', key: 'site' } },
    });
    expect(puts[0]).toMatchObject({ GSI1PK: 'WEBHOOKS#DUE', status: 'pending', subscriptionId: 'sub-1' });
    expect(lambda.commandCalls(InvokeCommand).map((c) => c.args[0].input)).toEqual([
      { FunctionName: 'slipway-webhook-dispatcher', InvocationType: 'Event', Payload: '{}' },
    ]);
  });

  it('reports only the record that failed, so only it comes back from the queue', async () => {
    dynamo
      .on(TransactWriteCommand)
      .resolvesOnce({})
      .resolvesOnce({})
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    const result = await fanOutRecords(
      batch(
        record('m-1', envelope(created('d-1'))),
        record('m-2', envelope({ ...created('d-2'), at: '2026-12-07T10:00:01.000Z' })),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-2' }] });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  });

  it('adds nothing for an event it has fanned out before (a redelivered message), and invokes nothing', async () => {
    dynamo.on(TransactWriteCommand).rejects(
      Object.assign(new Error('cancelled'), {
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
      }),
    );

    const result = await fanOutRecords(batch(record('m-1', envelope(created('d-1')))));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });
});
