import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
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

/** How Lambda's Node.js runtime tells a streaming handler (`awslambda.streamifyResponse`) apart. */
const STREAMING = Symbol.for('aws.lambda.runtime.handler.streaming');
const HIGH_WATER_MARK = Symbol.for('aws.lambda.runtime.handler.streaming.highWaterMark');

interface StreamingHandler {
  // biome-ignore lint/suspicious/noExplicitAny: handlers have many event types
  (event: any, responseStream: Writable, context: Context): Promise<unknown>;
  [STREAMING]?: string;
  [HIGH_WATER_MARK]?: number;
}

/** The status, headers and cookies a handler gives `awslambda.HttpResponseStream.from`. */
interface Prelude {
  statusCode?: number;
  headers?: Record<string, unknown>;
  cookies?: string[];
}

/** Where the local response stream takes its prelude; a registered symbol, so any copy of this module finds it. */
const PRELUDE = Symbol.for('slipway.local-lambda.response-prelude');

/**
 * The response stream a streaming handler writes to, over the gateway's response. As in Lambda,
 * the status and headers go out with the first write (or the end), and without a prelude the
 * response is a 200 of the content type `setContentType` gave. When the client goes away before
 * the response finished, the stream closes (it is destroyed), which is how the handler notices.
 */
class LocalResponseStream extends Writable {
  private contentType = 'application/octet-stream';
  private prelude: Prelude | undefined;

  constructor(
    private readonly res: ServerResponse,
    highWaterMark: number | undefined,
  ) {
    super(highWaterMark === undefined ? {} : { highWaterMark });
    // The client may have gone while the bundle loaded; the handler still sees the close.
    if (res.destroyed) this.destroy();
    else
      res.once('close', () => {
        if (!res.writableFinished) this.destroy();
      });
  }

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  [PRELUDE](prelude: Prelude): void {
    this.prelude = prelude;
  }

  private sendHead(): void {
    if (this.res.headersSent) return;
    const headers: Record<string, string | string[]> = {};
    if (this.prelude) {
      for (const [name, value] of Object.entries(this.prelude.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
      if (this.prelude.cookies?.length) headers['set-cookie'] = this.prelude.cookies;
    } else {
      headers['content-type'] = this.contentType;
    }
    // No content-length: Node sends the body chunked, each write as it comes.
    this.res.writeHead(this.prelude?.statusCode ?? 200, headers);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.sendHead();
    if (this.res.write(chunk)) callback();
    else this.res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.sendHead();
    this.res.end(() => callback());
  }
}

/**
 * The `awslambda` global Lambda's Node.js runtime defines for response streaming, over
 * `LocalResponseStream`: handler bundles call it when they load, so it is in place before any is.
 * Member by member: the AWS SDK's invoke store makes an empty `globalThis.awslambda` when it loads.
 */
const installAwsLambdaGlobal = (): void => {
  const global = globalThis as { awslambda?: Record<string, unknown> };
  global.awslambda ??= {};
  global.awslambda.streamifyResponse ??= (
    handler: StreamingHandler,
    options?: { highWaterMark?: number },
  ) => {
    handler[STREAMING] = 'response';
    if (options?.highWaterMark !== undefined) handler[HIGH_WATER_MARK] = options.highWaterMark;
    return handler;
  };
  global.awslambda.HttpResponseStream ??= {
    from: (responseStream: Writable, prelude: Prelude): Writable => {
      const take = (responseStream as Partial<Record<typeof PRELUDE, (prelude: Prelude) => void>>)[PRELUDE];
      if (typeof take !== 'function')
        throw new TypeError('HttpResponseStream.from takes the response stream the runtime gave the handler');
      take.call(responseStream, prelude);
      return responseStream;
    },
  };
};

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

/**
 * Invokes a streaming handler (`awslambda.streamifyResponse`) with a response stream over `res`,
 * as a function URL in RESPONSE_STREAM mode does. Resolves once the handler resolved and its
 * stream ended (or the client went away). Rejects when the function is not a streaming one or
 * its handler fails; once the head went out, `res` is then cut short, as Lambda cuts the stream.
 */
export type InvokeStream = (name: string, event: unknown, res: ServerResponse) => Promise<void>;

export type LambdaRuntime = Invoke & { invokeStream: InvokeStream };

/** A streaming function's time limit: `STREAMING_TIMEOUT` in `infra/stateless-stack.ts`. */
const STREAMING_TIMEOUT_MS = 15 * 60_000;

const isStreaming = (handler: Handler | StreamingHandler): handler is StreamingHandler =>
  (handler as StreamingHandler)[STREAMING] === 'response';

/** Like Lambda's runtime, the invocation lasts until the stream has finished or closed. */
const streamDone = (stream: Writable): Promise<void> =>
  new Promise((resolve) => {
    if (stream.writableFinished || stream.destroyed) return resolve();
    stream.once('finish', resolve).once('close', resolve);
  });

/** A local Lambda runtime over a directory of handler bundles. */
export const lambdaRuntime = (bundleDir: string): LambdaRuntime => {
  installAwsLambdaGlobal();
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

  const withDeadline = <T>(work: Promise<T>, deadline: number, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const entry: Pending = { deadline, timeoutMs, reject };
      pending.add(entry);
      sweeper ??= setInterval(sweep, 100).unref();
      work.then(
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

  const invoke: Invoke = async (name, event, timeoutMs = 30_000) => {
    const handler = loaded.get(name) ?? (await load(name));
    if (isStreaming(handler))
      throw new Error(`'${name}' is a streaming handler: invoke it with invokeStream`);
    const deadline = Date.now() + timeoutMs;
    return withDeadline(handler(event, new LocalContext(`slipway-${name}`, deadline)), deadline, timeoutMs);
  };

  const invokeStream: InvokeStream = async (name, event, res) => {
    const handler = loaded.get(name) ?? (await load(name));
    if (!isStreaming(handler))
      throw new Error(`'${name}' is not a streaming handler: wrap it in awslambda.streamifyResponse`);
    const deadline = Date.now() + STREAMING_TIMEOUT_MS;
    const context = new LocalContext(`slipway-${name}`, deadline);
    const responseStream = new LocalResponseStream(res, handler[HIGH_WATER_MARK]);
    const run = async () => {
      await handler(event, responseStream, context);
      await streamDone(responseStream);
    };
    try {
      await withDeadline(run(), deadline, STREAMING_TIMEOUT_MS);
    } catch (error) {
      // Whatever the handler still writes goes nowhere; a response already under way is cut.
      responseStream.destroy();
      if (res.headersSent) res.destroy();
      throw error;
    }
  };

  return Object.assign(invoke, { invokeStream });
};
