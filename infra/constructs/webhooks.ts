import { Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type IEventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { EVENT_SOURCE } from '../../functions/adapters/events/eventbridge-bus.ts';
import { SlipwayFunction } from './slipway-function.ts';

export interface WebhooksProps {
  table: ITableV2;
  secretsKey: IKey;
  /** The stack's bus of domain events. */
  events: IEventBus;
  /** The webhooks API function: seals signing secrets; a ping or a retry invokes the dispatcher. */
  api: SlipwayFunction;
  /** Announces `ConnectorPublished` (webhooks' `connector.published`) on the bus. */
  connectorPublisher: SlipwayFunction;
}

/** The domain events webhooks are made of (functions/core/webhooks/events.ts). */
const WEBHOOK_SOURCES = ['DeploymentStatusChanged', 'ApplicationHealthChanged', 'ConnectorPublished'];

/**
 * Signed webhooks on AWS (docs/webhooks.md, docs/aws.md): a rule on the stack's bus puts the
 * domain events webhooks are made of on a queue (encrypted, TLS only; a message that fails five
 * times goes to a dead-letter queue, as does one EventBridge cannot deliver); the fan-out
 * function reads it in batches and writes deliveries to the table; the dispatcher function
 * sends them, every minute and when the fan-out (or the API, for a ping or a retry) invokes it.
 * The dispatcher is in no VPC: it reaches receivers on the internet directly, and its address
 * guard refuses private, link-local and metadata addresses on the connection itself.
 */
export class Webhooks extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;
  readonly fanOut: SlipwayFunction;
  readonly dispatcher: SlipwayFunction;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    props.connectorPublisher.bindEventBus(props.events);
    props.api.bindSecrets(props.secretsKey, 'seal');

    const queueDefaults = { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true };
    this.deadLetters = new Queue(this, 'DeadLetters', {
      ...queueDefaults,
      retentionPeriod: Duration.days(14),
    });
    // Visibility: six times the fan-out's time limit, as Lambda recommends for SQS sources.
    this.queue = new Queue(this, 'Events', {
      ...queueDefaults,
      visibilityTimeout: Duration.minutes(3),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: 5 },
    });
    new Rule(this, 'ToWebhooks', {
      description: 'Slipway: domain events that webhooks announce, to the webhook fan-out',
      eventBus: props.events,
      eventPattern: { source: [EVENT_SOURCE], detailType: WEBHOOK_SOURCES },
      targets: [new SqsQueue(this.queue, { deadLetterQueue: this.deadLetters, retryAttempts: 8 })],
    });

    // Subscriptions (read), deliveries (written in transactions of puts), the deployment's view.
    this.fanOut = new SlipwayFunction(this, 'FanOut', {
      handler: 'webhook-fan-out',
      timeout: Duration.seconds(30),
    }).bindTable(props.table, ['GetItem', 'Query', 'PutItem']);
    this.fanOut.fn.addEventSource(
      new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );

    // The due queue (an index), claims and outcomes (updates; a finished delivery's stream entry
    // is deleted with it), subscriptions disabled; secrets opened to sign.
    this.dispatcher = new SlipwayFunction(this, 'Dispatcher', {
      handler: 'webhook-dispatcher',
      timeout: Duration.minutes(2),
    })
      .bindTable(props.table, ['GetItem', 'Query', 'UpdateItem', 'DeleteItem'])
      .bindSecrets(props.secretsKey, 'open');
    new Rule(this, 'DispatchSchedule', {
      description: 'Slipway: send the webhook deliveries that are due (retries among them)',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.dispatcher.fn, { retryAttempts: 0 })],
    });
    for (const caller of [this.fanOut, props.api]) {
      this.dispatcher.fn.grantInvoke(caller.fn);
      caller.fn.addEnvironment('SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION', this.dispatcher.fn.functionName);
    }
  }
}
