/**
 * Builds the web console (`console/src`) with esbuild, in memory: one script and one style
 * sheet named by their content hash, and the `index.html` that loads them. `npm start`'s
 * gateway serves the result at `/console/` (functions/local/console-assets.ts); the CDK app
 * puts the same files in the hosted-assets bucket behind the distribution
 * (infra/constructs/console-site.ts). Nothing built is committed.
 */
import { createHash } from 'node:crypto';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

/** Where the console is served, locally and on the distribution. */
export const CONSOLE_BASE = '/console/';

export interface ConsoleFile {
  /** The path under `CONSOLE_BASE`: `index.html`, `assets/main-<hash>.js`… */
  path: string;
  contentType: string;
  body: Buffer;
  /** Named by its content: cacheable for ever. `index.html` is not (it names the others). */
  immutable: boolean;
}

const SOURCE = join(import.meta.dirname, 'src');

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
};

const contentTypeOf = (path: string): string =>
  CONTENT_TYPES[path.slice(path.lastIndexOf('.'))] ?? 'application/octet-stream';

const page = (script: string, style: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Slipway console</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${CONSOLE_BASE}${style}">
<script type="module" src="${CONSOLE_BASE}${script}"></script>
</head>
<body>
<div id="app"></div>
<noscript>The Slipway console needs JavaScript.</noscript>
</body>
</html>
`;

/** The console's files, minified; about a tenth of a second. */
export const buildConsole = async (): Promise<ConsoleFile[]> => {
  const outdir = join(SOURCE, '..', 'out');
  const result = await build({
    entryPoints: [join(SOURCE, 'main.tsx')],
    bundle: true,
    minify: true,
    format: 'esm',
    target: ['es2022', 'chrome111', 'firefox111', 'safari16.4'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    entryNames: 'assets/[name]-[hash]',
    outdir,
    write: false,
    legalComments: 'none',
    logLevel: 'silent',
    // The console is a client of the public API and nothing else: no Node built-ins.
    platform: 'browser',
  });
  const files: ConsoleFile[] = result.outputFiles.map((file) => {
    const path = relative(outdir, file.path).split('\\').join('/');
    return { path, contentType: contentTypeOf(path), body: Buffer.from(file.contents), immutable: true };
  });
  const script = files.find((f) => f.path.endsWith('.js'))?.path;
  const style = files.find((f) => f.path.endsWith('.css'))?.path;
  if (!script || !style) throw new Error('console build: esbuild produced no script or no style sheet');
  files.push({
    path: 'index.html',
    contentType: contentTypeOf('index.html'),
    body: Buffer.from(page(script, style)),
    immutable: false,
  });
  return files;
};

/** A strong validator for a file's bytes (what the gateway sends as `ETag`). */
export const etagOf = (body: Buffer): string =>
  `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
