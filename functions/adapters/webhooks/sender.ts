import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { AttemptResult, OutgoingRequest, WebhookSender } from '../../core/webhooks/ports.ts';
import {
  bareHost,
  guardedLookup,
  isAddressLiteral,
  type Resolver,
  refusalOf,
  systemResolver,
} from './address-guard.ts';

export interface SenderOptions {
  /** Whether loopback addresses may be reached (`SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK`, read per attempt). */
  allowLoopback: () => boolean;
  /** One attempt, connection to the end of the response body (Standard Webhooks suggests 15–30 s; Slipway 10). */
  timeoutMs?: number;
  /** The response body is read up to this many bytes, then the connection is dropped. */
  maxResponseBytes?: number;
  /** How much of the response body is kept for the deliveries listing. */
  keptResponseBytes?: number;
  resolve?: Resolver;
}

const describeError = (error: Error & { code?: string }): string => {
  if (error.name === 'AddressRefused') return error.message;
  if (error.code === 'ENOTFOUND' || error.code === 'EAI_AGAIN')
    return `The host name did not resolve (${error.code})`;
  if (error.code) return `${error.message.split('\n')[0]} (${error.code})`;
  return error.message;
};

/**
 * Attempts with node's own HTTP client, nothing that follows redirects: the name resolved and
 * checked by the guarded lookup, the connected socket's address checked again before a byte of
 * the request is written, the whole attempt under one time limit, the response read up to a
 * limit (and its first kilobyte kept). Never throws: every failure is an `AttemptResult`.
 */
export const nodeWebhookSender = (options: SenderOptions): WebhookSender => {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const maxBytes = options.maxResponseBytes ?? 64 * 1024;
  const keptBytes = options.keptResponseBytes ?? 1024;
  const resolve = options.resolve ?? systemResolver;

  return {
    send: (outgoing: OutgoingRequest) =>
      new Promise<AttemptResult>((done) => {
        const started = performance.now();
        const elapsed = () => Math.round(performance.now() - started);
        let settled = false;
        let req: ClientRequest | undefined;
        const finish = (result: Omit<AttemptResult, 'durationMs'>) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req?.destroy();
          done({ ...result, durationMs: elapsed() });
        };
        const fail = (error: Error) => finish({ error: describeError(error) });
        const timer = setTimeout(
          () => finish({ error: `No complete answer within ${timeoutMs / 1000} s (timed out)` }),
          timeoutMs,
        );

        const allowLoopback = options.allowLoopback();
        let url: URL;
        try {
          url = new URL(outgoing.url);
        } catch {
          return fail(new Error('The URL is not valid'));
        }
        const host = bareHost(url.hostname);
        const literal = isAddressLiteral(url.hostname) ? refusalOf(host, host, allowLoopback) : undefined;
        if (literal) return fail(literal);

        const body = Buffer.from(outgoing.body);
        const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
        req = send(url, {
          method: 'POST',
          headers: { ...outgoing.headers, 'content-length': String(body.length) },
          lookup: guardedLookup(resolve, allowLoopback),
          agent: false,
        });
        req.on('error', fail);
        // The socket's peer is checked before the request is written: a connection that
        // reached a refused address (whatever resolved it) carries nothing there.
        req.on('socket', (socket: Socket) => {
          const write = () => {
            const refused = refusalOf(host, socket.remoteAddress ?? '', allowLoopback);
            if (refused) fail(refused);
            else req?.end(body);
          };
          if (socket.connecting) socket.once('connect', write);
          else write();
        });
        req.on('response', (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          let read = 0;
          const result = () => ({
            statusCode: res.statusCode ?? 0,
            responseBody: Buffer.concat(chunks).subarray(0, keptBytes).toString('utf8'),
            ...(typeof res.headers['retry-after'] === 'string'
              ? { retryAfter: res.headers['retry-after'] }
              : {}),
          });
          res.on('data', (chunk: Buffer) => {
            if (read < keptBytes) chunks.push(chunk.subarray(0, keptBytes - read));
            read += chunk.length;
            // Enough: the rest is not read (the status is what counts).
            if (read >= maxBytes) finish(result());
          });
          res.on('end', () => finish(result()));
          res.on('error', () => finish(result()));
          res.on('aborted', () => finish(result()));
        });
      }),
  };
};
