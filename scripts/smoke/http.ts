/**
 * The smoke's HTTP calls: fetch with a per-request time limit, the run's abort signal, and
 * failures that read as a reason (method, address without its query, status, the dialect's
 * error code and message), never with a token or a presigned URL's signature in them.
 */
import { setTimeout as pause } from 'node:timers/promises';

/** A step's failure: its message is the reason printed after `✗ <step>:`. */
export class SmokeError extends Error {
  override readonly name = 'SmokeError';
}

/** One request may take this long: a stalled call fails its step instead of hanging the run. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface Answer {
  status: number;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  body: unknown;
}

export interface CallOptions {
  headers?: Record<string, string>;
  /** Sent as JSON with its content type. */
  json?: unknown;
  body?: Uint8Array | string;
  /** Statuses that are an answer; any other fails the call. Default: any 2xx. */
  expect?: number[];
}

export type Call = (method: string, url: string, options?: CallOptions) => Promise<Answer>;

/** The address as it may be printed: a presigned URL's query is a credential. */
export const printable = (url: string): string => {
  try {
    const { origin, pathname } = new URL(url);
    return `${origin}${pathname}`;
  } catch {
    return url;
  }
};

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

type Envelope = {
  message?: string;
  title?: string;
  detail?: string;
  code?: string | number;
  errors?: { code?: string; message?: string }[] | Record<string, string>;
};

/** The reason an error answer gives, in either dialect's envelope (Connect's, BigCommerce's) or as text. */
const reasonOf = (answer: Answer): string => {
  const body = answer.body as Envelope | undefined;
  if (body && typeof body === 'object') {
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined;
    const code = first?.code ?? body.code;
    const message = first?.message ?? body.detail ?? body.message ?? body.title;
    if (message !== undefined) return code === undefined ? message : `${code}: ${message}`;
  }
  return answer.text.trim().slice(0, 300) || '(no body)';
};

export const failureOf = (method: string, url: string, answer: Answer): SmokeError =>
  new SmokeError(`${method} ${printable(url)} answered ${answer.status}: ${reasonOf(answer)}`);

/** `fetch` as the steps use it; `signal` is the run's (Ctrl-C). */
export const caller =
  (signal: AbortSignal): Call =>
  async (method, url, options = {}) => {
    const headers = { ...options.headers };
    let body = options.body;
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.json);
    }
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body,
        redirect: 'manual',
        signal: AbortSignal.any([signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
    } catch (error) {
      throw new SmokeError(`${method} ${printable(url)}: ${describe(error)}`);
    }
    const text = await response.text();
    const answer = { status: response.status, text, body: parse(text) };
    const ok = options.expect ? options.expect.includes(answer.status) : answer.status < 300;
    if (!ok) throw failureOf(method, url, answer);
    return answer;
  };

/** A network error in words: fetch hides the cause (ECONNREFUSED, a DNS failure) one level down. */
export const describe = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'TimeoutError') return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  if (error.name === 'AbortError') return 'interrupted';
  const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? error.message;
};

/** What `until` asks each round: done with a value, or still waiting in some state. */
export type Probe<T> = { done: T } | { waiting: string };

/**
 * Asks `probe` every `everyMs` until it is done or `deadline` (epoch ms) passes; the failure
 * names what was awaited and the last state seen, which is what a user needs on a slow stack.
 */
export const until = async <T>(
  what: string,
  deadline: number,
  signal: AbortSignal,
  probe: () => Promise<Probe<T>>,
  everyMs = 1000,
): Promise<T> => {
  const started = Date.now();
  for (;;) {
    const answer = await probe();
    if ('done' in answer) return answer.done;
    if (Date.now() + everyMs > deadline)
      throw new SmokeError(
        `${what}: still ${answer.waiting} after ${Math.round((Date.now() - started) / 1000)} s`,
      );
    try {
      await pause(everyMs, undefined, { signal });
    } catch {
      throw new SmokeError('interrupted');
    }
  }
};
