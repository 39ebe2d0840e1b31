import {
  CreateFunctionCommand,
  DeleteEventSourceMappingCommand,
  DeleteFunctionCommand,
  type FunctionConfiguration,
  GetFunctionCommand,
  paginateListEventSourceMappings,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  type UpdateFunctionConfigurationCommandInput,
  waitForFunctionActiveV2,
  waitForFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import { ApplicationHostingFailed } from '../../../core/hosting/errors.ts';
import {
  EVENT_ENDPOINT_VARIABLE,
  EVENTS_BRIDGE_PATH,
  normalisePath,
} from '../../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../../core/hosting/ports.ts';
import { lambda } from './clients.ts';
import { ignoring, isError, tagsOf } from './resources.ts';
import { ensureDeploymentRole, whileRoleSettles } from './roles.ts';
import type { AwsHostingContext } from './settings.ts';

/**
 * The Lambda function behind every service, event and job application: it runs the
 * application's own HTTP server behind the AWS Lambda Web Adapter, as its deployment's role
 * (`./roles.ts`).
 */

const RUNTIME = 'nodejs22.x';
/** The Web Adapter's convention: the bundle's `run.sh` starts the application's server. */
const HANDLER = 'run.sh';
const WEB_ADAPTER_PORT = '8080';
export const FUNCTION_TIMEOUT_SECONDS = 300;
const FUNCTION_MEMORY_MB = 1024;
const WAIT_SECONDS = 300;

const arnOf = (arn: string | undefined): string => {
  if (!arn) throw new Error('Lambda returned no function ARN');
  return arn;
};

/** Resolves once the function is Active and not updating, with a reason that never quotes its configuration. */
export const sdkWaitUntilReady = async (functionName: string): Promise<void> => {
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

/**
 * Creates the function (and its deployment's role), or brings the one an earlier attempt made
 * up to date; returns its ARN and its role's.
 */
export const ensureFunction = async (
  context: AwsHostingContext,
  request: HostingRequest,
  name: string,
): Promise<{ functionArn: string; roleArn: string }> => {
  const { settings, waitUntilReady } = context;
  const roleArn = await ensureDeploymentRole(context, request);
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
    Role: roleArn,
    Runtime: RUNTIME,
    Handler: HANDLER,
    Layers: [settings.webAdapterLayerArn],
    Timeout: FUNCTION_TIMEOUT_SECONDS,
    MemorySize: FUNCTION_MEMORY_MB,
    Environment: { Variables: variables },
    ...(settings.kmsKeyArn ? { KMSKeyArn: settings.kmsKeyArn } : {}),
  } satisfies UpdateFunctionConfigurationCommandInput;
  const created = await ignoring(
    whileRoleSettles(context, () =>
      lambda.send(
        new CreateFunctionCommand({
          ...configuration,
          PackageType: 'Zip',
          Architectures: ['arm64'],
          Code: { S3Bucket: settings.bucket, S3Key: request.bundle },
          Tags: tagsOf(request),
        }),
      ),
    ),
    'ResourceConflictException',
  );
  if (created) {
    await waitUntilReady(name);
    return { functionArn: arnOf(created.FunctionArn), roleArn };
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
  // A function made before deployments had roles of their own moves to its deployment's here.
  const updated = await whileRoleSettles(context, () =>
    lambda.send(new UpdateFunctionConfigurationCommand(configuration)),
  );
  await waitUntilReady(name);
  return { functionArn: arnOf(updated.FunctionArn ?? existing.Configuration?.FunctionArn), roleArn };
};

/** Deletes the function and its event source mappings; one already gone counts as deleted. */
export const removeFunction = async (name: string) => {
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
  await ignoring(lambda.send(new DeleteFunctionCommand({ FunctionName: name })), 'ResourceNotFoundException');
};
