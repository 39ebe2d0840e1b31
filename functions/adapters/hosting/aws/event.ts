import { CreateEventSourceMappingCommand, paginateListEventSourceMappings } from '@aws-sdk/client-lambda';
import { CreateTopicCommand, DeleteTopicCommand, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { HostedApplication, HostingRequest } from '../../../core/hosting/ports.ts';
import { lambda, sns, sqs } from './clients.ts';
import { ensureFunction, FUNCTION_TIMEOUT_SECONDS } from './functions.ts';
import { ignoring, isError, tagList, tagsOf } from './resources.ts';
import { whileRoleSettles } from './roles.ts';
import type { AwsHostingContext } from './settings.ts';

/** Lambda refuses an SQS mapping when the queue's visibility timeout is below the function's timeout; AWS advises 6×. */
const QUEUE_VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_TIMEOUT_SECONDS;

/** SQS's JSON protocol names; the second is the older query protocol's code. */
const QUEUE_MISSING = ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'];

/**
 * The queue's URL and ARN, letting only `topicArn` send to it and only the deployment's role
 * (`roleArn`) take messages from it: whatever another role's policy says (another deployment's
 * names could share this one's 8-character hash), the queue's own policy refuses it.
 */
const ensureQueue = async (request: HostingRequest, name: string, topicArn: string, roleArn: string) => {
  const attributes = { VisibilityTimeout: String(QUEUE_VISIBILITY_TIMEOUT_SECONDS) };
  let queueUrl: string | undefined;
  try {
    queueUrl = (
      await sqs.send(
        new CreateQueueCommand({ QueueName: name, Attributes: attributes, tags: tagsOf(request) }),
      )
    ).QueueUrl;
  } catch (error) {
    // Made by an earlier attempt with other attributes: they are set below.
    if (!isError(error, 'QueueNameExists', 'QueueAlreadyExists')) throw error;
    queueUrl = (await sqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
  }
  if (!queueUrl) throw new Error('SQS returned no queue URL');
  const queueArn = (
    await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  ).Attributes?.QueueArn;
  if (!queueArn) throw new Error('SQS returned no queue ARN');
  const policy = {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'slipway-topic',
        Effect: 'Allow',
        Principal: { Service: 'sns.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: queueArn,
        Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
      },
      {
        Sid: 'slipway-deployment-role',
        Effect: 'Deny',
        Principal: '*',
        Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'],
        Resource: queueArn,
        Condition: { ArnNotEquals: { 'aws:PrincipalArn': roleArn } },
      },
    ],
  };
  await sqs.send(
    new SetQueueAttributesCommand({
      QueueUrl: queueUrl,
      Attributes: { ...attributes, Policy: JSON.stringify(policy) },
    }),
  );
  return { queueUrl, queueArn };
};

/**
 * An event application: its function fed by an SQS queue subscribed to an SNS topic, all three
 * of the same name; the topic is what publishers are given.
 */
export const hostEvent = async (
  context: AwsHostingContext,
  request: HostingRequest,
  name: string,
): Promise<HostedApplication> => {
  const { roleArn } = await ensureFunction(context, request, name);
  const topicArn = (await sns.send(new CreateTopicCommand({ Name: name, Tags: tagList(tagsOf(request)) })))
    .TopicArn;
  if (!topicArn) throw new Error('SNS returned no topic ARN');
  const { queueArn } = await ensureQueue(request, name, topicArn, roleArn);
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: queueArn,
      Attributes: { RawMessageDelivery: 'true' },
      ReturnSubscriptionArn: true,
    }),
  );
  for await (const page of paginateListEventSourceMappings(
    { client: lambda },
    { EventSourceArn: queueArn, FunctionName: name },
  ))
    if ((page.EventSourceMappings ?? []).length > 0) return { topic: topicArn };
  await ignoring(
    // Lambda checks here that the role may read the queue, which a new role's policy may not
    // show yet.
    whileRoleSettles(context, () =>
      lambda.send(
        // One message per invocation, as a push subscription delivers them; the bridge reports
        // a message the application refused as a batch item failure, so only it is retried.
        new CreateEventSourceMappingCommand({
          EventSourceArn: queueArn,
          FunctionName: name,
          BatchSize: 1,
          FunctionResponseTypes: ['ReportBatchItemFailures'],
          Enabled: true,
        }),
      ),
    ),
    'ResourceConflictException',
  );
  return { topic: topicArn };
};

/** Deleting a topic deletes its subscriptions; deleting one that is gone succeeds. */
export const removeTopic = async (arn: string) => {
  await ignoring(sns.send(new DeleteTopicCommand({ TopicArn: arn })), 'NotFoundException');
};

export const removeQueue = async (name: string) => {
  const url = (await ignoring(sqs.send(new GetQueueUrlCommand({ QueueName: name })), ...QUEUE_MISSING))
    ?.QueueUrl;
  if (url) await ignoring(sqs.send(new DeleteQueueCommand({ QueueUrl: url })), ...QUEUE_MISSING);
};
