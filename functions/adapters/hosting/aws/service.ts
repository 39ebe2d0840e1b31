import {
  AddPermissionCommand,
  CreateFunctionUrlConfigCommand,
  GetFunctionUrlConfigCommand,
} from '@aws-sdk/client-lambda';
import { normalisePath } from '../../../core/hosting/hosted-events.ts';
import type { HostedApplication, HostingRequest } from '../../../core/hosting/ports.ts';
import { lambda } from './clients.ts';
import { ensureFunction } from './functions.ts';
import { ignoring, isError } from './resources.ts';
import type { AwsHostingContext } from './settings.ts';

/** A service application: its function with a public function URL; its URL is the endpoint's. */
export const hostService = async (
  context: AwsHostingContext,
  request: HostingRequest,
  name: string,
): Promise<HostedApplication> => {
  await ensureFunction(context, request, name);
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
  const origin = `${functionUrl.replace(/\/+$/, '')}${normalisePath(request.endpoint, '')}`;
  // Its stable address on the distribution, whose `/apps/` routes forward to the build that
  // serves it now (the `sites` function): the same `url` for every build.
  return request.address
    ? {
        url: `${context.settings.assetsBaseUrl.replace(/\/+$/, '')}${request.address}${normalisePath(request.endpoint, '')}`,
        origin,
      }
    : { url: origin };
};
