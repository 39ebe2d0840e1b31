import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { bundlePath } from './bundle.ts';

/**
 * Runs Lambda handlers in process, from the same bundles CDK deploys
 * (`<bundleDir>/<name>/index.mjs`, see `bundle.ts`), with a Lambda-like context. Each bundle
 * has its own module state, as each Lambda function does; modules load once, like a warm Lambda.
 */

// biome-ignore lint/suspicious/noExplicitAny: handlers have many event and result types
type Handler = (event: any, context: Context) => Promise<any>;

export class LambdaTimeoutError extends Error {
  override readonly name = 'Sandbox.Timedout';
}

class LocalContext implements Context {
  callbackWaitsForEmptyEventLoop = false;
  readonly functionVersion = '$LATEST';
  readonly memoryLimitInMB = '1024';
  readonly logStreamName = 'local';
  readonly awsRequestId = randomUUID();
  readonly invokedFunctionArn: string;
  readonly logGroupName: string;

  constructor(
    readonly functionName: string,
    private readonly deadline: number,
  ) {
    this.invokedFunctionArn = `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`;
    this.logGroupName = `/aws/lambda/${functionName}`;
  }

  getRemainingTimeInMillis(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  done(): void {}
  fail(): void {}
  succeed(): void {}
}

interface Pending {
  deadline: number;
  timeoutMs: number;
  reject: (error: Error) => void;
}

export type Invoke = (name: string, event: unknown, timeoutMs?: number) => Promise<unknown>;

/** A local Lambda runtime over a directory of handler bundles. */
export const lambdaRuntime = (bundleDir: string): Invoke => {
  const loading = new Map<string, Promise<Handler>>();
  /** Handlers already loaded, so a warm call does not wait on a promise. */
  const loaded = new Map<string, Handler>();

  const load = (name: string): Promise<Handler> => {
    let handler = loading.get(name);
    if (!handler) {
      if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`Invalid function name '${name}'`);
      handler = import(pathToFileURL(bundlePath(bundleDir, name)).href).then((m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`The bundle of '${name}' exports no handler`);
        loaded.set(name, m.handler);
        return m.handler;
      });
      loading.set(name, handler);
    }
    return handler;
  };

  /**
   * Invocations past their deadline fail like Lambda's timeout. One sweep every 100 ms checks
   * them all; a timer per invocation measured as a visible share of the gateway's CPU time.
   */
  const pending = new Set<Pending>();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    const now = Date.now();
    for (const p of pending) {
      if (p.deadline <= now) {
        pending.delete(p);
        p.reject(new LambdaTimeoutError(`Task timed out after ${(p.timeoutMs / 1000).toFixed(2)} seconds`));
      }
    }
    if (pending.size === 0 && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  return async (name, event, timeoutMs = 30_000) => {
    const handler = loaded.get(name) ?? (await load(name));
    const deadline = Date.now() + timeoutMs;
    const context = new LocalContext(`slipway-${name}`, deadline);
    return new Promise((resolve, reject) => {
      const entry: Pending = { deadline, timeoutMs, reject };
      pending.add(entry);
      sweeper ??= setInterval(sweep, 100).unref();
      handler(event, context).then(
        (result) => {
          pending.delete(entry);
          resolve(result);
        },
        (error: unknown) => {
          pending.delete(entry);
          reject(error);
        },
      );
    });
  };
};
