import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';

/**
 * Runs Lambda handlers in process: the same modules CDK bundles (`functions/handlers/<name>.ts`),
 * called with a Lambda-like context. Modules load once, like a warm Lambda.
 */

// biome-ignore lint/suspicious/noExplicitAny: handlers have many event and result types
type Handler = (event: any, context: Context) => Promise<any>;

const handlers = new Map<string, Promise<Handler>>();

const load = (name: string): Promise<Handler> => {
  let handler = handlers.get(name);
  if (!handler) {
    if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Invalid function name '${name}'`);
    handler = import(`../handlers/${name}.ts`).then((m: { handler?: Handler }) => {
      if (typeof m.handler !== 'function')
        throw new Error(`functions/handlers/${name}.ts exports no handler`);
      return m.handler;
    });
    handlers.set(name, handler);
  }
  return handler;
};

export class LambdaTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
}

const lambdaContext = (name: string, timeoutMs: number): Context => {
  const deadline = Date.now() + timeoutMs;
  const functionName = `slipway-${name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};

/** Invokes a handler by function name, failing like Lambda when it runs past its timeout. */
export const invokeFunction = async (name: string, event: unknown, timeoutMs = 30_000): Promise<unknown> => {
  const handler = await load(name);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new LambdaTimeoutError(`Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([handler(event, lambdaContext(name, timeoutMs)), timeout]);
  } finally {
    clearTimeout(timer);
  }
};
