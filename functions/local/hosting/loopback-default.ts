/**
 * Hosted applications listen on loopback: the supervisor stops one that listens anywhere else
 * (it would be reachable from the network, past the gateway's credentials and logs). Most apps
 * do not choose on purpose, though: `server.listen(process.env.PORT)` — the commonest line in
 * Node — binds every interface. So each hosted Node process is started with a preload (in
 * `NODE_OPTIONS`, as a `data:` URL, so it needs no file the sandbox must let it read) that makes
 * a listen with a port and no host listen on `HOST` (127.0.0.1). An app that names another
 * address on purpose still does, and is stopped for it.
 */

const PRELOAD = `import net from 'node:net';
const host = process.env.HOST || '127.0.0.1';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\\d+$/.test(first))) {
    if (args[1] === undefined || args[1] === null) args[1] = host;
    else if (typeof args[1] !== 'string') args.splice(1, 0, host);
  } else if (first === undefined || typeof first === 'function') args.unshift(0, host);
  else if (first !== null && typeof first === 'object' && first.port !== undefined && first.host === undefined && first.path === undefined) args[0] = { ...first, host };
  return listen.apply(this, args);
};`;

const IMPORT = `--import=data:text/javascript,${encodeURIComponent(PRELOAD)}`;

/** `NODE_OPTIONS` for a hosted process: the preload first, then whatever the app's configuration sets. */
export const withLoopbackDefault = (env: Record<string, string>): Record<string, string> => ({
  ...env,
  NODE_OPTIONS: env.NODE_OPTIONS ? `${IMPORT} ${env.NODE_OPTIONS}` : IMPORT,
});
