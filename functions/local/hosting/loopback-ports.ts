import { type AddressInfo, createServer as createNetServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/** How long restore waits for a recorded port to be released before moving to another. */
const PORT_RELEASE_MS = 3_000;

const listenOn = (port: number): Promise<number | undefined> =>
  new Promise((resolveWith) => {
    const server = createNetServer();
    server.unref();
    server.once('error', () => resolveWith(undefined));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as AddressInfo;
      server.close(() => resolveWith(bound));
    });
  });

/**
 * Whether `port` can be listened on, waiting a little: a killed process may hold its listening
 * socket until it is reaped, and orphans are reaped by PID 1, in some containers a second later.
 */
export const portFreed = async (port: number): Promise<boolean> => {
  const deadline = Date.now() + PORT_RELEASE_MS;
  while ((await listenOn(port)) === undefined) {
    if (Date.now() >= deadline) return false;
    await delay(50);
  }
  return true;
};

export const freePort = async (): Promise<number> => {
  const port = await listenOn(0);
  if (port === undefined) throw new Error('No free loopback port');
  return port;
};
