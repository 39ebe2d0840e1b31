import { randomUUID } from 'node:crypto';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { HealthCheck, ProbeOutcome } from '../../../core/hosting/health.ts';
import type { HealthProber } from '../../../core/hosting/health-probe.ts';
import { isError } from './resources.ts';

/**
 * The health probe's way to an application on AWS. A hosted function has no address of its own
 * to check (a service's function URL is the application's public one, an event application's
 * function has none), so it is reached the way its Web Adapter is: a Lambda Invoke with an API
 * Gateway (HTTP API, payload 2.0) event for `GET <path>`, which the adapter turns into a request
 * to the application's server, answering the server's status.
 *
 * Its own Lambda client: the hosting adapter's (`./clients.ts`) comes with every other client
 * hosting uses, which the probe's bundle does not need.
 */
const lambda = new LambdaClient({});

const USER_AGENT = 'Slipway-HealthCheck/1';

/** The HTTP API (payload 2.0) event of `GET <path>`, as a function URL or an HTTP API sends it. */
export const healthCheckEvent = (check: HealthCheck, now = new Date()) => ({
  version: '2.0',
  routeKey: '$default',
  rawPath: check.path,
  rawQueryString: '',
  headers: { accept: '*/*', 'user-agent': USER_AGENT },
  requestContext: {
    accountId: 'anonymous',
    apiId: 'slipway-health-check',
    domainName: 'localhost',
    domainPrefix: 'localhost',
    http: {
      method: 'GET',
      path: check.path,
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: USER_AGENT,
    },
    requestId: randomUUID(),
    routeKey: '$default',
    stage: '$default',
    time: now.toISOString(),
    timeEpoch: now.getTime(),
  },
  isBase64Encoded: false,
});

/**
 * Checks through Lambda Invoke (see the module comment), within the check's timeout. A function
 * error (the adapter could not reach the server, or the function crashed or timed out) and a
 * throttled invocation are failed checks; any other refusal (no permission, no such function)
 * is not about the application's health and is thrown.
 */
export const lambdaHealthProber: HealthProber = {
  async probe(functionName, check) {
    let answer: { FunctionError?: string; Payload?: Uint8Array };
    try {
      answer = await lambda.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          Payload: new TextEncoder().encode(JSON.stringify(healthCheckEvent(check))),
        }),
        { abortSignal: AbortSignal.timeout(check.timeoutSeconds * 1000) },
      );
    } catch (error) {
      if (isError(error, 'AbortError', 'TimeoutError')) return { error: 'timeout' };
      if (isError(error, 'TooManyRequestsException'))
        return { error: 'unreachable', detail: 'its function is throttled' };
      throw error;
    }
    if (answer.FunctionError)
      return { error: 'unreachable', detail: `its function failed (${answer.FunctionError})` };
    return statusOf(answer.Payload);
  },
};

const statusOf = (payload: Uint8Array | undefined): ProbeOutcome => {
  try {
    const status = (JSON.parse(new TextDecoder().decode(payload)) as { statusCode?: unknown }).statusCode;
    if (typeof status === 'number' && Number.isInteger(status)) return { status };
  } catch {
    // Not JSON: said below.
  }
  return { error: 'unreachable', detail: 'its function answered no HTTP status' };
};
