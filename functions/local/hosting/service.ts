import { normalisePath } from '../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { startApplication } from './application-process.ts';
import type { LaunchContext, Launched } from './types.ts';

/** Starts a service application; it is reachable at its endpoint on its loopback port. */
export const launchService = async (request: HostingRequest, context: LaunchContext): Promise<Launched> => {
  const { port, process } = await startApplication(request, context);
  return { port, process, result: { url: `http://127.0.0.1:${port}${normalisePath(request.endpoint, '')}` } };
};
