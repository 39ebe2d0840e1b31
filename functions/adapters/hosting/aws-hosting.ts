import {
  AddPermissionCommand,
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  CreateFunctionUrlConfigCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  GetFunctionUrlConfigCommand,
  LambdaClient,
  paginateListEventSourceMappings,
  paginateListFunctions,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type UpdateFunctionConfigurationCommandInput,
  waitForFunctionActiveV2,
  waitForFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import {
  paginateGetResources,
  ResourceGroupsTaggingAPIClient,
} from '@aws-sdk/client-resource-groups-tagging-api';
import { CopyObjectCommand, DeleteObjectsCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import {
  CreateScheduleCommand,
  type CreateScheduleCommandInput,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  paginateListSchedules,
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
import { redactor } from '../../core/hosting/build-rules.ts';
import { ApplicationHostingFailed } from '../../core/hosting/errors.ts';
import {
  EVENT_ENDPOINT_VARIABLE,
  EVENTS_BRIDGE_PATH,
  normalisePath,
} from '../../core/hosting/hosted-events.ts';
import type { ApplicationHosting, HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';
import { sha256Hex } from '../../core/shared/ids.ts';

/**
 * Hosting on AWS: every service, event and job application is a Lambda function running its
 * own HTTP server behind the AWS Lambda Web Adapter; a service gets a public function URL, an
 * event application an SNS topic feeding an SQS queue mapped to the function, a job an
 * EventBridge Scheduler schedule invoking the function. Assets are copied from the artifacts
 * bucket into the hosted-assets bucket, which a CloudFront distribution serves.
 *
 * Every name is derived from the deployment, build and application, so a retried step finds
 * what an earlier attempt made; everything is tagged with them, so `stop` finds it again.
 */

export interface AwsHostingSettings {
  /** The artifacts bucket: `HostingRequest.bundle` is an object key (or, for assets, a prefix) in it. */
  bucket: string;
  /** The role the hosted functions run with. */
  executionRoleArn: string;
  /** The role EventBridge Scheduler assumes to invoke job functions. */
  schedulerRoleArn: string;
  /** The AWS Lambda Web Adapter layer for the region and arm64. */
  webAdapterLayerArn: string;
  /**
   * The hosted-assets bucket, apart from the artifacts: public content, served by CloudFront,
   * encrypted with S3's own key so that CloudFront needs no grant on the artifacts' key.
   */
  assetsBucket: string;
  /** Where assets are copied in `assetsBucket`, ending in `/` (e.g. `hosted-assets/`). */
  assetsPrefix: string;
  /**
   * Where `assetsBucket` is served, its keys being the URLs' paths (a CloudFront distribution,
   * `https://<domain>`): an application's URL is `<assetsBaseUrl>/<assetsPrefix><deployment>/<app>/`.
   */
  assetsBaseUrl: string;
  /** The key encrypting the functions' environment; AWS's own key when absent. */
  kmsKeyArn?: string;
  /** Starts every resource name (`slipway`). */
  namePrefix: string;
}

export interface AwsHostingOptions {
  /**
   * Resolves once the function is Active and no update is in progress; throws otherwise. The
   * SDK's waiters by default (tests pass a stub so they do not poll).
   */
  waitUntilReady?: (functionName: string) => Promise<void>;
}

const TAG_DEPLOYMENT = 'slipway:deployment';
const TAG_BUILD = 'slipway:build';
const TAG_APPLICATION = 'slipway:application';

const RUNTIME = 'nodejs22.x';
/** The Web Adapter's convention: the bundle's `run.sh` starts the application's server. */
const HANDLER = 'run.sh';
const WEB_ADAPTER_PORT = '8080';
const FUNCTION_TIMEOUT_SECONDS = 300;
const FUNCTION_MEMORY_MB = 1024;
/** Lambda refuses an SQS mapping when the queue's visibility timeout is below the function's timeout; AWS advises 6×. */
const QUEUE_VISIBILITY_TIMEOUT_SECONDS = 6 * FUNCTION_TIMEOUT_SECONDS;
const WAIT_SECONDS = 300;
const MAX_NAME = 64;
const MAX_REASON = 1_000;
const COPY_CONCURRENCY = 16;

const lambda = new LambdaClient({});
const sns = new SNSClient({});
const sqs = new SQSClient({});
const scheduler = new SchedulerClient({});
const tagging = new ResourceGroupsTaggingAPIClient({});
const s3 = new S3Client({});

/** SQS's JSON protocol names; the second is the older query protocol's code. */
const QUEUE_MISSING = ['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue'];

type Target = { deploymentId: string; buildId?: string; exceptBuildId?: string };

const isError = (error: unknown, ...names: string[]) => names.includes((error as Error).name);

/** Runs the call; the named errors (something already there, or already gone) count as done. */
const ignoring = async <T>(call: Promise<T>, ...names: string[]): Promise<T | undefined> => {
  try {
    return await call;
  } catch (error) {
    if (isError(error, ...names)) return undefined;
    throw error;
  }
};

/**
 * Eight hex characters of the id's hash: deployment ids are UUIDv7, whose leading characters
 * are a timestamp shared by every deployment created in the same minute.
 */
const short = (id: string) => sha256Hex(id).slice(0, 8);

/** `name` when it is a valid name of at most 64 characters; otherwise cut, with a hash of the whole. */
const fitName = (name: string): string => {
  const safe = name.replace(/[^A-Za-z0-9_-]/g, '-');
  if (safe === name && name.length <= MAX_NAME) return name;
  return `${safe.slice(0, MAX_NAME - 9)}-${sha256Hex(name).slice(0, 8)}`;
};

const arnOf = (arn: string | undefined): string => {
  if (!arn) throw new Error('Lambda returned no function ARN');
  return arn;
};

const lastSegment = (arn: string) => arn.slice(arn.lastIndexOf(':') + 1);

/** The ARN of `service`'s resource `name` in the account and region of `arn`. */
const siblingArn = (arn: string, service: string, name: string): string | undefined => {
  const [scheme, partition, , region, account] = arn.split(':');
  if (scheme !== 'arn' || !partition || !region || !account) return undefined;
  return `arn:${partition}:${service}:${region}:${account}:${name}`;
};

const inBatches = async <T>(items: T[], size: number, work: (item: T) => Promise<unknown>) => {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
};

const CRON_NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

/** A cron day of week (0–7, 0 and 7 Sunday, or a name) as 0–6. */
const cronDay = (value: string): number => {
  const named = DAY_NAMES.indexOf(value.toUpperCase());
  if (named >= 0) return named;
  if (!/^\d+$/.test(value) || Number(value) > 7) throw new Error(`'${value}' is not a day of the week`);
  return Number(value) % 7;
};

/** AWS numbers days 1–7 from Sunday. */
const awsDay = (day: number) => day + 1;

/** Consecutive days as ranges: [2,3,4,5,6] → `2-6`, [1,6,7] → `1,6,7`. */
const dayList = (days: number[]): string => {
  const parts: string[] = [];
  for (let i = 0; i < days.length; ) {
    let j = i;
    while (j + 1 < days.length && days[j + 1] === (days[j] ?? 0) + 1) j++;
    const [from, to] = [days[i], days[j]];
    parts.push(j - i >= 2 ? `${from}-${to}` : days.slice(i, j + 1).join(','));
    i = j + 1;
  }
  return parts.join(',');
};

/**
 * A cron day-of-week field in AWS's numbering. AWS has no step in this field, so steps and
 * ranges are expanded into the days they stand for; `5L` and `1#2` keep their form.
 */
const awsDayOfWeek = (field: string): string => {
  const special = /^([A-Za-z]+|\d)(L|#[1-5])$/.exec(field);
  if (special) return `${awsDay(cronDay(special[1] ?? ''))}${special[2]}`;
  const days = new Set<number>();
  for (const item of field.split(',')) {
    const [range = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`'${item}' has an invalid step`);
    let from: number;
    let to: number;
    if (range === '*') [from, to] = [0, 6];
    else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      from = cronDay(a);
      // `5-7` is Friday to Sunday: 7 ends the week here, it does not wrap to 0.
      to = b === '7' ? 7 : cronDay(b);
      if (to < from) throw new Error(`'${item}' is not a valid range`);
    } else {
      from = cronDay(range);
      to = stepText === undefined ? from : 6;
    }
    for (let day = from; day <= to; day += step) days.add(day % 7);
  }
  return dayList([...days].map(awsDay).sort((a, b) => a - b));
};

/**
 * A 5-field cron (minute hour day-of-month month day-of-week, the form connect.yaml uses) as
 * an EventBridge Scheduler expression: a year field is added, one of the two day fields
 * becomes `?` (AWS refuses both), and days of the week are renumbered (cron counts 0–7 from
 * Sunday, AWS 1–7). AWS has no seconds, so a 6-field cron (seconds first) is refused, and no
 * "either day" rule, so a cron restricting both day fields is refused too.
 */
export const toAwsCron = (schedule: string): string => {
  const text = schedule.trim();
  const fields = (CRON_NICKNAMES[text.toLowerCase()] ?? text).split(/\s+/);
  if (fields.length === 6)
    throw new Error('EventBridge Scheduler has no seconds: use a 5-field cron (minute first)');
  if (fields.length !== 5) throw new Error('a cron schedule has 5 fields');
  for (const field of fields)
    if (!/^[A-Za-z0-9*?,/#-]+$/.test(field)) throw new Error(`'${field}' is not a cron field`);
  const [minute, hour, dayOfMonth = '*', month = '*', dayOfWeek = '*'] = fields;
  const anyDay = (field: string) => field === '*' || field === '?';
  let days: [string, string];
  if (anyDay(dayOfWeek)) days = [dayOfMonth === '?' ? '*' : dayOfMonth, '?'];
  else if (anyDay(dayOfMonth)) days = ['?', awsDayOfWeek(dayOfWeek)];
  else throw new Error('AWS cannot run on a day of the month or a day of the week: restrict only one');
  return `cron(${minute} ${hour} ${days[0]} ${month.toUpperCase()} ${days[1]} *)`;
};

/** Resolves once the function is Active and not updating, with a reason that never quotes its configuration. */
const sdkWaitUntilReady = async (functionName: string): Promise<void> => {
  for (const waitFor of [waitForFunctionActiveV2, waitForFunctionUpdatedV2]) {
    // The `waitFor` form: `waitUntil` throws with the whole GetFunction answer, environment included.
    const result = await waitFor(
      { client: lambda, maxWaitTime: WAIT_SECONDS },
      { FunctionName: functionName },
    );
    if (result.state === 'SUCCESS') continue;
    const configuration = (result.reason as { Configuration?: FunctionConfiguration } | undefined)
      ?.Configuration;
    const detail = configuration
      ? `state ${configuration.State}, last update ${configuration.LastUpdateStatus}: ${
          configuration.StateReason ?? configuration.LastUpdateStatusReason ?? 'no reason given'
        }`
      : ((result.reason as Error | undefined)?.name ?? 'no answer');
    throw new Error(`the function is not ready after ${WAIT_SECONDS} s (${detail})`);
  }
};

/** Any failure as `ApplicationHostingFailed`, its reason cleared of every environment value. */
const hostingFailed = (request: HostingRequest, error: unknown): ApplicationHostingFailed => {
  if (error instanceof ApplicationHostingFailed) return error;
  const e = error as Error;
  const reason = e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  const redact = redactor([
    ...(request.secretValues ?? []),
    // Shorter values cannot carry a secret and would mangle the reason.
    ...Object.values(request.environment).filter((value) => value.length >= 4),
  ]);
  return new ApplicationHostingFailed(request.applicationName, redact(reason).slice(0, MAX_REASON));
};

/**
 * The AWS hosting adapter (see the module comment). An assets application's `bundle` is a
 * prefix (ending in `/`) of the already-extracted files in the bucket, since S3 cannot unzip:
 * the build job on AWS uploads them so; the others' bundle is the key of the built zip.
 */
export const awsHosting = (
  settings: AwsHostingSettings,
  options: AwsHostingOptions = {},
): ApplicationHosting => {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,23}$/.test(settings.namePrefix))
    throw new Error('The hosting name prefix must be 1 to 24 letters, digits or "-"');
  if (settings.assetsPrefix !== '' && !settings.assetsPrefix.endsWith('/'))
    throw new Error('The hosted assets prefix must end with "/"');
  const waitUntilReady = options.waitUntilReady ?? sdkWaitUntilReady;
  const assetsBaseUrl = settings.assetsBaseUrl.replace(/\/+$/, '');

  /** What every resource of a deployment's (and build's) names starts with. */
  const namesOf = (deploymentId: string, buildId?: string) =>
    `${settings.namePrefix}-${short(deploymentId)}-${buildId === undefined ? '' : `${short(buildId)}-`}`;
  const nameOf = (r: HostingRequest) => fitName(`${namesOf(r.deploymentId, r.buildId)}${r.applicationName}`);
  const groupOf = (deploymentId: string) => fitName(`${settings.namePrefix}-${deploymentId}`);
  const tagsOf = (r: HostingRequest): Record<string, string> => ({
    [TAG_DEPLOYMENT]: r.deploymentId,
    [TAG_BUILD]: r.buildId,
    [TAG_APPLICATION]: r.applicationName,
  });
  const tagList = (tags: Record<string, string>) =>
    Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

  /** Creates the function, or brings the one an earlier attempt made up to date; returns its ARN. */
  const ensureFunction = async (request: HostingRequest, name: string): Promise<string> => {
    const variables: Record<string, string> = {
      ...request.environment,
      AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
      PORT: WEB_ADAPTER_PORT,
      AWS_LWA_READINESS_CHECK_PATH: normalisePath(request.healthCheckPath ?? request.endpoint, '/'),
    };
    // Events and schedule invocations are not HTTP requests: the adapter POSTs them to a path.
    // A job gets its schedule's input at its endpoint; an event application's SQS events go to
    // the bridge its build put in front of it, which pushes each in Pub/Sub's form.
    if (request.applicationType === 'job')
      variables.AWS_LWA_PASS_THROUGH_PATH = normalisePath(request.endpoint, '/');
    if (request.applicationType === 'event') {
      variables.AWS_LWA_PASS_THROUGH_PATH = EVENTS_BRIDGE_PATH;
      variables[EVENT_ENDPOINT_VARIABLE] = normalisePath(request.endpoint, '/');
    }
    const configuration = {
      FunctionName: name,
      Role: settings.executionRoleArn,
      Runtime: RUNTIME,
      Handler: HANDLER,
      Layers: [settings.webAdapterLayerArn],
      Timeout: FUNCTION_TIMEOUT_SECONDS,
      MemorySize: FUNCTION_MEMORY_MB,
      Environment: { Variables: variables },
      ...(settings.kmsKeyArn ? { KMSKeyArn: settings.kmsKeyArn } : {}),
    } satisfies UpdateFunctionConfigurationCommandInput;
    const created = await ignoring(
      lambda.send(
        new CreateFunctionCommand({
          ...configuration,
          PackageType: 'Zip',
          Architectures: ['arm64'],
          Code: { S3Bucket: settings.bucket, S3Key: request.bundle },
          Tags: tagsOf(request),
        }),
      ),
      'ResourceConflictException',
    );
    if (created) {
      await waitUntilReady(name);
      return arnOf(created.FunctionArn);
    }
    // Made by an earlier attempt, unless the name is another application's.
    const existing = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    const tags = existing.Tags ?? {};
    if (Object.entries(tagsOf(request)).some(([key, value]) => tags[key] !== value))
      throw new ApplicationHostingFailed(
        request.applicationName,
        `a function named ${name} already exists and belongs to another application`,
      );
    // An update is refused while the function is still being created or updated.
    await waitUntilReady(name);
    await lambda.send(
      new UpdateFunctionCodeCommand({
        FunctionName: name,
        S3Bucket: settings.bucket,
        S3Key: request.bundle,
        Architectures: ['arm64'],
      }),
    );
    await waitUntilReady(name);
    const updated = await lambda.send(new UpdateFunctionConfigurationCommand(configuration));
    await waitUntilReady(name);
    return arnOf(updated.FunctionArn ?? existing.Configuration?.FunctionArn);
  };

  const hostService = async (request: HostingRequest, name: string): Promise<HostedApplication> => {
    await ensureFunction(request, name);
    let functionUrl: string | undefined;
    try {
      const created = await lambda.send(
        new CreateFunctionUrlConfigCommand({ FunctionName: name, AuthType: 'NONE' }),
      );
      functionUrl = created.FunctionUrl;
    } catch (error) {
      if (!isError(error, 'ResourceConflictException')) throw error;
      functionUrl = (await lambda.send(new GetFunctionUrlConfigCommand({ FunctionName: name }))).FunctionUrl;
    }
    if (!functionUrl) throw new Error('Lambda returned no function URL');
    // Since October 2025 a public function URL needs both permissions; the second only via the URL.
    await ignoring(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'slipway-function-url',
          Action: 'lambda:InvokeFunctionUrl',
          Principal: '*',
          FunctionUrlAuthType: 'NONE',
        }),
      ),
      'ResourceConflictException',
    );
    await ignoring(
      lambda.send(
        new AddPermissionCommand({
          FunctionName: name,
          StatementId: 'slipway-function-url-invoke',
          Action: 'lambda:InvokeFunction',
          Principal: '*',
          InvokedViaFunctionUrl: true,
        }),
      ),
      'ResourceConflictException',
    );
    return { url: `${functionUrl.replace(/\/+$/, '')}${normalisePath(request.endpoint, '')}` };
  };

  /** The queue's URL and ARN, letting only `topicArn` send to it. */
  const ensureQueue = async (request: HostingRequest, name: string, topicArn: string) => {
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

  const hostEvent = async (request: HostingRequest, name: string): Promise<HostedApplication> => {
    await ensureFunction(request, name);
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: name, Tags: tagList(tagsOf(request)) })))
      .TopicArn;
    if (!topicArn) throw new Error('SNS returned no topic ARN');
    const { queueArn } = await ensureQueue(request, name, topicArn);
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
      'ResourceConflictException',
    );
    return { topic: topicArn };
  };

  const hostJob = async (request: HostingRequest, name: string): Promise<HostedApplication> => {
    const schedule = request.schedule;
    if (!schedule)
      throw new ApplicationHostingFailed(request.applicationName, 'a job application needs a schedule');
    let expression: string;
    try {
      expression = toAwsCron(schedule);
    } catch (error) {
      throw new ApplicationHostingFailed(
        request.applicationName,
        `schedule '${schedule}' cannot run on AWS: ${(error as Error).message}`,
      );
    }
    const functionArn = await ensureFunction(request, name);
    const groupName = groupOf(request.deploymentId);
    await ignoring(
      scheduler.send(
        new CreateScheduleGroupCommand({
          Name: groupName,
          Tags: tagList({ [TAG_DEPLOYMENT]: request.deploymentId }),
        }),
      ),
      'ConflictException',
    );
    const input: CreateScheduleCommandInput = {
      Name: name,
      GroupName: groupName,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      State: 'ENABLED',
      // What the local scheduler POSTs to the endpoint.
      Target: { Arn: functionArn, RoleArn: settings.schedulerRoleArn, Input: '{}' },
    };
    try {
      await scheduler.send(new CreateScheduleCommand(input));
    } catch (error) {
      if (!isError(error, 'ConflictException')) throw error;
      await scheduler.send(new UpdateScheduleCommand(input));
    }
    return { schedule };
  };

  const hostAssets = async (request: HostingRequest): Promise<HostedApplication> => {
    const source = request.bundle;
    if (!source.endsWith('/'))
      throw new ApplicationHostingFailed(
        request.applicationName,
        `an assets bundle must be a prefix of extracted files ending in '/', not '${source}'`,
      );
    const destination = `${settings.assetsPrefix}${request.deploymentId}/${request.applicationName}/`;
    let copied = 0;
    for await (const page of paginateListObjectsV2(
      { client: s3 },
      { Bucket: settings.bucket, Prefix: source },
    )) {
      const keys = (page.Contents ?? []).flatMap((o) => (o.Key && !o.Key.endsWith('/') ? [o.Key] : []));
      await inBatches(keys, COPY_CONCURRENCY, (key) =>
        s3.send(
          new CopyObjectCommand({
            Bucket: settings.assetsBucket,
            Key: `${destination}${key.slice(source.length)}`,
            CopySource: `${settings.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
          }),
        ),
      );
      copied += keys.length;
    }
    if (copied === 0)
      throw new ApplicationHostingFailed(request.applicationName, `there are no files under '${source}'`);
    // The distribution maps a path to the key of the same name and a path ending in `/` to its
    // index.html, so the destination prefix is the application's URL.
    const path = destination.split('/').map(encodeURIComponent).join('/');
    return { url: `${assetsBaseUrl}/${path}` };
  };

  /** What `stop` removes: functions by name (with ARN), topics by ARN, queues by name. */
  const findResources = async (target: Target) => {
    const kept = (build: string | undefined) =>
      target.exceptBuildId !== undefined && build === target.exceptBuildId;
    const functions = new Map<string, string>();
    const topics = new Set<string>();
    const queues = new Set<string>();
    const tagFilters = [
      { Key: TAG_DEPLOYMENT, Values: [target.deploymentId] },
      ...(target.buildId === undefined ? [] : [{ Key: TAG_BUILD, Values: [target.buildId] }]),
    ];
    for await (const page of paginateGetResources(
      { client: tagging },
      { TagFilters: tagFilters, ResourceTypeFilters: ['lambda:function', 'sns', 'sqs'] },
    ))
      for (const resource of page.ResourceTagMappingList ?? []) {
        const arn = resource.ResourceARN ?? '';
        if (kept(resource.Tags?.find((t) => t.Key === TAG_BUILD)?.Value)) continue;
        const service = arn.split(':')[2];
        if (service === 'lambda') functions.set(lastSegment(arn), arn);
        else if (service === 'sns') topics.add(arn);
        else if (service === 'sqs') queues.add(lastSegment(arn));
      }
    // The tagging API is eventually consistent: a function made seconds ago (a build failing
    // while hosting) may be missing from it, but never from Lambda's own list.
    const prefix = namesOf(target.deploymentId, target.buildId);
    const keptPrefix =
      target.exceptBuildId === undefined ? undefined : namesOf(target.deploymentId, target.exceptBuildId);
    for await (const page of paginateListFunctions({ client: lambda }, {}))
      for (const fn of page.Functions ?? []) {
        const name = fn.FunctionName ?? '';
        if (!name.startsWith(prefix) || (keptPrefix && name.startsWith(keptPrefix))) continue;
        functions.set(name, fn.FunctionArn ?? '');
      }
    // An event application's topic and queue share its function's name.
    for (const [name, arn] of functions) {
      const topic = siblingArn(arn, 'sns', name);
      if (topic) topics.add(topic);
      queues.add(name);
    }
    return { functions, topics, queues };
  };

  const removeSchedules = async (target: Target) => {
    const group = groupOf(target.deploymentId);
    if (target.buildId === undefined && target.exceptBuildId === undefined) {
      // Deleting the group deletes its schedules.
      await ignoring(
        scheduler.send(new DeleteScheduleGroupCommand({ Name: group })),
        'ResourceNotFoundException',
      );
      return;
    }
    const prefix = namesOf(target.deploymentId, target.buildId);
    const keptPrefix =
      target.exceptBuildId === undefined ? undefined : namesOf(target.deploymentId, target.exceptBuildId);
    const names: string[] = [];
    try {
      for await (const page of paginateListSchedules(
        { client: scheduler },
        { GroupName: group, NamePrefix: prefix },
      ))
        for (const schedule of page.Schedules ?? [])
          if (schedule.Name && !(keptPrefix && schedule.Name.startsWith(keptPrefix)))
            names.push(schedule.Name);
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw error;
    }
    for (const name of names)
      await ignoring(
        scheduler.send(new DeleteScheduleCommand({ Name: name, GroupName: group })),
        'ResourceNotFoundException',
      );
  };

  const removeFunction = async (name: string) => {
    const mappings: string[] = [];
    try {
      for await (const page of paginateListEventSourceMappings({ client: lambda }, { FunctionName: name }))
        for (const mapping of page.EventSourceMappings ?? []) if (mapping.UUID) mappings.push(mapping.UUID);
    } catch (error) {
      if (!isError(error, 'ResourceNotFoundException')) throw error;
    }
    for (const uuid of mappings)
      await ignoring(
        lambda.send(new DeleteEventSourceMappingCommand({ UUID: uuid })),
        'ResourceNotFoundException',
      );
    await ignoring(
      lambda.send(new DeleteFunctionCommand({ FunctionName: name })),
      'ResourceNotFoundException',
    );
  };

  const removeQueue = async (name: string) => {
    const url = (await ignoring(sqs.send(new GetQueueUrlCommand({ QueueName: name })), ...QUEUE_MISSING))
      ?.QueueUrl;
    if (url) await ignoring(sqs.send(new DeleteQueueCommand({ QueueUrl: url })), ...QUEUE_MISSING);
  };

  const removeAssets = async (deploymentId: string) => {
    for await (const page of paginateListObjectsV2(
      { client: s3 },
      { Bucket: settings.assetsBucket, Prefix: `${settings.assetsPrefix}${deploymentId}/` },
    )) {
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length === 0) continue;
      const out = await s3.send(
        new DeleteObjectsCommand({
          Bucket: settings.assetsBucket,
          Delete: { Objects: objects, Quiet: true },
        }),
      );
      const failed = out.Errors ?? [];
      if (failed.length > 0)
        throw new Error(
          `Could not delete ${failed.length} hosted assets of deployment ${deploymentId}: ${failed[0]?.Code}`,
        );
    }
  };

  return {
    async host(request) {
      try {
        const name = nameOf(request);
        switch (request.applicationType) {
          case 'service':
            return await hostService(request, name);
          case 'event':
            return await hostEvent(request, name);
          case 'job':
            return await hostJob(request, name);
          case 'assets':
            return await hostAssets(request);
          default:
            throw new ApplicationHostingFailed(
              request.applicationName,
              `application type '${String(request.applicationType)}' cannot be hosted on AWS`,
            );
        }
      } catch (error) {
        throw hostingFailed(request, error);
      }
    },

    async stop(target) {
      // Schedules first, so no job fires at a function being deleted.
      await removeSchedules(target);
      const { functions, topics, queues } = await findResources(target);
      for (const name of functions.keys()) await removeFunction(name);
      // Deleting a topic deletes its subscriptions; deleting one that is gone succeeds.
      for (const arn of topics)
        await ignoring(sns.send(new DeleteTopicCommand({ TopicArn: arn })), 'NotFoundException');
      for (const name of queues) await removeQueue(name);
      if (target.buildId === undefined && target.exceptBuildId === undefined)
        await removeAssets(target.deploymentId);
    },
  };
};
