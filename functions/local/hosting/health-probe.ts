import { request } from 'node:http';
import type { HealthCheck, ProbeOutcome } from '../../core/hosting/health.ts';

/** What a hosted application's answer to a check may hold that is read (then it is cut off). */
const MAX_BODY_BYTES = 64 * 1024;

const USER_AGENT = 'Slipway-HealthCheck/1';

/** A connection error's cause, without an address or port. */
const unreachable = (error: NodeJS.ErrnoException): ProbeOutcome => {
  const detail: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    EPIPE: 'connection closed',
    HPE_INVALID_CONSTANT: 'not an HTTP answer',
  };
  return { error: 'unreachable', detail: detail[error.code ?? ''] ?? error.code ?? 'connection failed' };
};

/**
 * One health check of an application listening on loopback `port`: a GET of the check's path
 * with its timeout, on a connection of its own that is closed afterwards (no pool, so nothing
 * is left open to keep `npm start` alive). `signal` ends it early (the application is no longer
 * watched); it then resolves as a timeout, which the caller ignores.
 */
export const probeLoopback = (
  port: number,
  check: HealthCheck,
  signal?: AbortSignal,
): Promise<ProbeOutcome> =>
  new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', abort);
      req.destroy();
      resolve(outcome);
    };
    const req = request({
      host: '127.0.0.1',
      port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { 'user-agent': USER_AGENT, connection: 'close', accept: '*/*' },
    });
    const abort = () => settle({ error: 'timeout' });
    const timer = setTimeout(abort, check.timeoutSeconds * 1000);
    signal?.addEventListener('abort', abort, { once: true });
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      let read = 0;
      // The status decides; the body is read (to its end or the cap) so the application sees a
      // client that listened, not a reset.
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_BODY_BYTES) settle({ status });
      });
      res.on('end', () => settle({ status }));
      res.on('error', () => settle({ status }));
    });
    req.on('error', (error) => settle(unreachable(error)));
    if (signal?.aborted) abort();
    else req.end();
  });
