import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildConsole, CONSOLE_BASE, type ConsoleFile, etagOf } from '../../console/build.ts';

/**
 * The web console under `npm start`: built once (started with the stack, awaited by the first
 * request), kept in memory with its gzip and brotli forms, and served at `/console/` as the
 * distribution serves it from the bucket on AWS. A path under `/console/` that names no file
 * is one of the console's own pages: it gets `index.html`, whose script shows that page.
 */

interface Served {
  file: ConsoleFile;
  etag: string;
  br: Buffer;
  gzip: Buffer;
}

/** What a browser may do with the console's pages: its own scripts and styles, nothing framed. */
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // connect-src stays open: uploads go to the storage's presigned URL, on its own origin.
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; connect-src 'self' http: https:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

const prepare = async (): Promise<Map<string, Served>> => {
  const files = await buildConsole();
  return new Map(
    files.map((file) => [
      file.path,
      {
        file,
        etag: etagOf(file.body),
        br: brotliCompressSync(file.body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }),
        gzip: gzipSync(file.body, { level: 9 }),
      },
    ]),
  );
};

const pick = (served: Served, accept: string): { body: Buffer; encoding?: string } => {
  if (/\bbr\b/.test(accept)) return { body: served.br, encoding: 'br' };
  if (/\bgzip\b/.test(accept)) return { body: served.gzip, encoding: 'gzip' };
  return { body: served.file.body };
};

/** `(req, res) => handled`: answers `/console` and everything under it, and nothing else. */
export const consoleAssets = () => {
  let built: Promise<Map<string, Served>> | undefined;
  const files = () => {
    built ??= prepare();
    return built;
  };
  // Built in the background from the start, so the first page does not wait for esbuild.
  files().catch(() => undefined);

  const answer = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('The console answers GET and HEAD only.\n');
      return;
    }
    let all: Map<string, Served>;
    try {
      all = await files();
    } catch (error) {
      built = undefined;
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`The console could not be built: ${(error as Error).message}\n`);
      return;
    }
    const name = path.slice(CONSOLE_BASE.length);
    const served = all.get(name) ?? (name.startsWith('assets/') ? undefined : all.get('index.html'));
    if (!served) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('Not found.\n');
      return;
    }
    const headers: Record<string, string> = {
      ...SECURITY_HEADERS,
      'content-type': served.file.contentType,
      'cache-control': served.file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: served.etag,
      vary: 'Accept-Encoding',
    };
    if (req.headers['if-none-match'] === served.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    const { body, encoding } = pick(served, String(req.headers['accept-encoding'] ?? ''));
    if (encoding) headers['content-encoding'] = encoding;
    headers['content-length'] = String(body.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  return (req: IncomingMessage, res: ServerResponse, path: string): boolean => {
    if (path === '/console') {
      res.writeHead(308, { location: CONSOLE_BASE }).end();
      return true;
    }
    if (!path.startsWith(CONSOLE_BASE)) return false;
    void answer(req, res, path);
    return true;
  };
};
