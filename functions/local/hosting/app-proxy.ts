import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { HOP_BY_HOP } from '../../http/hop-by-hop.ts';
import { newestOf } from './registry.ts';
import type { Hosted } from './types.ts';

/**
 * The stable address of a service (`/apps/<projectKey>/<deployment>/<application>/…`, served
 * by the local gateway): each request goes to the build that serves the application now, so
 * its `url` survives redeploys and rollbacks. While the application is down (restarting after
 * a crash) the address answers 503 with Retry-After instead of refusing connections.
 */

/** Seconds a client is asked to wait while an application starts again. */
const RETRY_AFTER_SECONDS = 2;

export const unavailable = (res: ServerResponse): void => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(503, {
    'content-type': 'text/plain; charset=utf-8',
    'retry-after': String(RETRY_AFTER_SECONDS),
    'cache-control': 'no-store',
  });
  res.end('The application is not answering right now; try again in a few seconds.\n');
};

/** The parts of `/apps/<projectKey>/<deployment>/<application>/<rest>`, still encoded. */
const splitAppPath = (path: string): { address: string; rest: string } | undefined => {
  const match = /^(\/apps\/[^/?]+\/[^/?]+\/[^/?]+)(\/[^?]*)?(\?.*)?$/.exec(path);
  if (!match) return undefined;
  return { address: match[1] ?? '', rest: `${match[2] ?? '/'}${match[3] ?? ''}` };
};

/**
 * Forwards the request to the application on `port` (`rest` is its path there). `port()` is
 * asked again when a GET or HEAD could not reach the application at all (its build was just
 * replaced by a newer one): such a request is tried once more, so a switch loses none.
 */
const forward = (
  req: IncomingMessage,
  res: ServerResponse,
  rest: string,
  port: () => number | undefined,
  retried = false,
): void => {
  const target = port();
  if (target === undefined) {
    unavailable(res);
    return;
  }
  const headers = Object.fromEntries(
    Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name) && name !== 'host'),
  );
  const upstream = httpRequest(
    {
      host: '127.0.0.1',
      port: target,
      method: req.method,
      path: rest,
      headers: { ...headers, host: `127.0.0.1:${target}` },
    },
    (answer) => {
      const out = Object.fromEntries(
        Object.entries(answer.headers).filter(([name]) => !HOP_BY_HOP.has(name)),
      );
      res.writeHead(answer.statusCode ?? 502, out);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    const safe = req.method === 'GET' || req.method === 'HEAD';
    if (safe && !retried && !res.headersSent) forward(req, res, rest, port, true);
    else unavailable(res);
  });
  if (req.method === 'GET' || req.method === 'HEAD') upstream.end();
  else req.pipe(upstream);
};

/**
 * Serves a service's stable address (`/apps/…`): forwards to the newest build of it that runs;
 * 503 while it is down. False (not handled) when no service has that address.
 */
export const serveApp = (
  req: IncomingMessage,
  res: ServerResponse,
  hosted: () => Iterable<Hosted>,
): boolean => {
  const parts = splitAppPath(req.url ?? '');
  if (!parts) return false;
  const serving = (alive: boolean) =>
    newestOf(
      hosted(),
      (e) =>
        e.request.address === parts.address && (!alive || e.process?.alive === true) && e.port !== undefined,
    );
  if (!serving(false)) return false;
  forward(req, res, parts.rest, () => serving(true)?.port);
  return true;
};
