import { createReadStream, realpathSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { isFile } from './files.ts';
import { newestOf } from './registry.ts';
import type { Hosted, Launched } from './types.ts';

/**
 * Assets applications: no process, their built files are served read-only under
 * `/assets/<deploymentId>/<applicationName>/` by the local API gateway (or the HTTP API).
 */

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.wasm': 'application/wasm',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

/** An assets application is reachable at its path under `publicUrl`; nothing runs for it. */
export const launchAssets = (request: HostingRequest, publicUrl: string): Launched => {
  const path = `/assets/${encodeURIComponent(request.deploymentId)}/${encodeURIComponent(request.applicationName)}/`;
  return { result: { url: `${publicUrl}${path}` } };
};

/**
 * Serves `/assets/<deploymentId>/<applicationName>/<path>` from the bundle of the newest
 * build of that assets application among `hosted`, read-only. False (not handled) when the
 * path is not under `/assets/` or no such application is hosted.
 */
export const serveAsset = (req: IncomingMessage, res: ServerResponse, hosted: Iterable<Hosted>): boolean => {
  const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
  if (!rawPath.startsWith('/assets/')) return false;
  const [deploymentPart, applicationPart, ...rest] = rawPath.slice('/assets/'.length).split('/');
  let deploymentId: string;
  let applicationName: string;
  try {
    deploymentId = decodeURIComponent(deploymentPart ?? '');
    applicationName = decodeURIComponent(applicationPart ?? '');
  } catch {
    return false;
  }
  const application = newestOf(
    hosted,
    (e) =>
      e.request.applicationType === 'assets' &&
      e.request.deploymentId === deploymentId &&
      e.request.applicationName === applicationName,
  )?.request;
  if (!application) return false;

  const notFound = () => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('Not Found');
    return true;
  };
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
    res.end('Method Not Allowed');
    return true;
  }
  if (rest.length === 0) {
    // Relative links in index.html need the trailing slash.
    res.writeHead(308, { location: `${rawPath}/` });
    res.end();
    return true;
  }
  const segments: string[] = [];
  for (const part of rest) {
    let segment: string;
    try {
      segment = decodeURIComponent(part);
    } catch {
      return notFound();
    }
    if (segment === '.' || segment === '..' || /[/\\\0]/.test(segment)) return notFound();
    if (segment !== '') segments.push(segment);
  }
  let root: string;
  let file: string;
  try {
    root = realpathSync(application.bundle);
    // realpath resolves symbolic links: one leading out of the bundle fails the check below.
    file = realpathSync(join(root, ...segments));
    if (statSync(file).isDirectory()) file = realpathSync(join(file, 'index.html'));
  } catch {
    return notFound();
  }
  if (!file.startsWith(root + sep) || !isFile(file)) return notFound();

  const size = statSync(file).size;
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') res.end();
  else
    createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  return true;
};
