/**
 * How an application is built and how its scripts run, as pure rules: which commands a
 * folder's package.json calls for, what a script's environment holds, and how output is
 * cleaned of secured values before anything stores it.
 */

export interface PackageManifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  scripts?: Record<string, string>;
}

/**
 * `npm ci` with a lockfile, `npm install` without one, nothing when there are no dependencies;
 * then `npm run build` when the package has a build script. A folder without package.json
 * (static assets) needs no commands.
 */
export const buildCommands = (manifest: PackageManifest | undefined, hasLockfile: boolean): string[] => {
  if (!manifest) return [];
  const hasDependencies =
    Object.keys(manifest.dependencies ?? {}).length + Object.keys(manifest.devDependencies ?? {}).length > 0;
  return [
    ...(hasDependencies ? [hasLockfile ? 'npm ci' : 'npm install'] : []),
    ...(manifest.scripts?.build ? ['npm run build'] : []),
  ];
};

/** Environment names the runtime sets itself; configuration may not replace them. */
const RESERVED = new Set(['PATH', 'HOME', 'PORT', 'CONNECT_SERVICE_URL', 'CONNECT_PROVIDER', 'NODE_OPTIONS']);

/**
 * A script's environment: the application's configuration, `CONNECT_SERVICE_URL` for a
 * service, and the topic of an event application (Connect's `CONNECT_GCP_TOPIC_NAME`, and a
 * provider-neutral `CONNECT_TOPIC`).
 */
export const scriptEnvironment = (
  configuration: Record<string, string>,
  extra: { serviceUrl?: string; topic?: string },
): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(configuration)) if (!RESERVED.has(key)) env[key] = value;
  if (extra.serviceUrl) env.CONNECT_SERVICE_URL = extra.serviceUrl;
  if (extra.topic) {
    env.CONNECT_TOPIC = extra.topic;
    env.CONNECT_GCP_TOPIC_NAME = extra.topic;
  }
  env.CONNECT_PROVIDER = 'slipway';
  return env;
};

export const REDACTED = '****';

/**
 * What a secured value can look like in output: itself, escaped inside a JSON string, and
 * for a multi-line value (a PEM key, a JSON document) each of its lines, since output is
 * cut into lines before it is redacted. Lines shorter than 4 characters are left alone (a
 * lone `}` is not a secret).
 */
const forms = (secret: string): string[] => [
  secret,
  JSON.stringify(secret).slice(1, -1),
  ...(secret.includes('\n')
    ? secret
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 4)
    : []),
];

/** Replaces every secured value in a line; the longest first, so a value containing another goes whole. */
export const redactor = (secrets: string[]): ((line: string) => string) => {
  const values = [...new Set(secrets.filter((s) => s.length > 0).flatMap(forms))].sort(
    (a, b) => b.length - a.length,
  );
  if (values.length === 0) return (line) => line;
  return (line) => values.reduce((text, value) => text.split(value).join(REDACTED), line);
};

/** Output lines are cut at this length before they are stored. */
export const MAX_LOG_LINE = 8 * 1024;

/**
 * The Node entry point of a built application, for hosts that start it without npm (Lambda
 * with the Web Adapter runs `run.sh`): the file a `node <file>` start script names, else
 * package.json's `main`, else `server.js` or `index.js` when present.
 */
export const nodeEntryPoint = (
  manifest: (PackageManifest & { main?: string }) | undefined,
  exists: (file: string) => boolean,
): string | undefined => {
  const fromStart = /^node\s+(?:--\S+\s+)*([^\s-][^\s]*)/.exec(manifest?.scripts?.start ?? '')?.[1];
  // `main` resolves the way Node resolves it: as is, with `.js`, or as a folder's index.js.
  const main = typeof manifest?.main === 'string' && manifest.main !== '' ? manifest.main : undefined;
  const mains = main ? [main, `${main}.js`, `${main.replace(/\/+$/, '')}/index.js`] : [];
  return [fromStart, ...mains, 'server.js', 'index.js'].find(
    (file): file is string => typeof file === 'string' && file !== '' && exists(file),
  );
};

/** The Web Adapter's start script for an entry point. */
export const runScript = (entry: string) =>
  `#!/bin/sh\ncd "$(dirname "$0")"\nexec node ${JSON.stringify(entry)}\n`;

/** Where a build puts the Pub/Sub bridge in an event application's folder (AWS). */
export const BRIDGE_FILE = '.slipway/pubsub-bridge.mjs';
/** What an event application's own `run.sh` is renamed to when the bridge takes its place. */
export const APPLICATION_RUN_SCRIPT = 'app-run.sh';

/**
 * An event application's start script: the Pub/Sub bridge (`functions/builds/pubsub-bridge.ts`),
 * which starts the application with `command` (its entry point, or its own start script).
 */
export const eventRunScript = (command: string[]) =>
  `#!/bin/sh\ncd "$(dirname "$0")"\nexec node ${[BRIDGE_FILE, ...command].map((a) => JSON.stringify(a)).join(' ')}\n`;
