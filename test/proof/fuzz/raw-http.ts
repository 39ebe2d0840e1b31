import { connect } from 'node:net';

/**
 * A bare HTTP/1.1 client over a socket: fetch (and node:http) refuse or rewrite what the fuzz
 * must send as is (control characters, raw unicode, `..` and `%2f` in a path, malformed header
 * values, duplicated headers). One request a connection, kept alive as ordinary clients do (a
 * client that asks for `connection: close` while still sending a body can lose an early 413 to
 * the server's reset); the response ends at its length, its last chunk, or the server's close.
 */

export interface RawRequest {
  method: string;
  /** The request target exactly as it goes on the request line (`/a/b?x=1`). */
  target: string;
  /** In order, duplicates allowed; values are written as UTF-8 bytes. */
  headers: [string, string][];
  body?: Buffer;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The response was cut off by us (a stream, read for a moment). */
  cut: boolean;
}

interface Head {
  status: number;
  headers: Record<string, string>;
  bodyStart: number;
}

const parseHead = (data: Buffer): Head | undefined => {
  const headEnd = data.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...lines] = data.subarray(0, headEnd).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) throw new Error(`not a status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status, headers, bodyStart: headEnd + 4 };
};

const decodeChunked = (data: Buffer): Buffer => {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
};

const isChunked = (head: Head) => /chunked/i.test(head.headers['transfer-encoding'] ?? '');

/** Whether `data` holds the whole response. */
const complete = (data: Buffer, head: Head, method: string): boolean => {
  if (method === 'HEAD' || head.status === 204 || head.status === 304) return true;
  const body = data.subarray(head.bodyStart);
  if (isChunked(head)) return body.length >= 5 && body.subarray(-5).toString('latin1') === '0\r\n\r\n';
  const length = head.headers['content-length'];
  return length !== undefined && body.length >= Number(length);
};

/**
 * Sends one request and reads its response. A Server-Sent Events stream is read for
 * `streamMs` and then cut (the fuzz looks at what it began with, not at how long it lasts).
 */
export const sendRaw = (
  base: string,
  request: RawRequest,
  { streamMs = 200, timeoutMs = 20_000 } = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const chunks: Buffer[] = [];
    let head: Head | undefined;
    let cut = false;
    let settled = false;
    let streamTimer: NodeJS.Timeout | undefined;
    const socket = connect(Number(port), hostname);
    const overall = setTimeout(() => {
      settle(
        new Error(`no response to ${request.method} ${request.target.slice(0, 200)} in ${timeoutMs} ms`),
      );
    }, timeoutMs);

    const settle = (outcome: Error | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(streamTimer);
      socket.destroy();
      if (outcome) return reject(outcome);
      const data = Buffer.concat(chunks);
      try {
        head ??= parseHead(data);
        if (!head)
          throw new Error(
            `no complete response head in ${JSON.stringify(data.toString('latin1').slice(0, 300))}`,
          );
        let body: Buffer = data.subarray(head.bodyStart);
        if (isChunked(head)) body = decodeChunked(body);
        else if (head.headers['content-length'] !== undefined)
          body = body.subarray(0, Number(head.headers['content-length']));
        resolve({ status: head.status, headers: head.headers, body: body.toString('utf8'), cut });
      } catch (error) {
        reject(error);
      }
    };

    socket.on('connect', () => {
      const lines = [
        `${request.method} ${request.target} HTTP/1.1`,
        `host: ${hostname}:${port}`,
        ...request.headers.map(([name, value]) => `${name}: ${value}`),
        ...(request.body !== undefined ? [`content-length: ${request.body.length}`] : []),
      ];
      socket.write(
        Buffer.concat([
          Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'),
          request.body ?? Buffer.alloc(0),
        ]),
      );
    });
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const data = Buffer.concat(chunks);
      try {
        head ??= parseHead(data);
      } catch (error) {
        return settle(error as Error);
      }
      if (!head) return;
      if (complete(data, head, request.method)) return settle(undefined);
      if (streamTimer === undefined && /^text\/event-stream/i.test(head.headers['content-type'] ?? '')) {
        streamTimer = setTimeout(() => {
          cut = true;
          settle(undefined);
        }, streamMs);
      }
    });
    // The server may answer (413, 431, 400) and close before it has read all we wrote.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (chunks.length > 0 && (error.code === 'ECONNRESET' || error.code === 'EPIPE'))
        return settle(undefined);
      settle(error);
    });
    socket.on('close', () => settle(undefined));
  });
