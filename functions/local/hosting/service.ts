import { normalisePath } from '../../core/hosting/hosted-events.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';
import { startApplication } from './application-process.ts';
import type { LaunchContext, Launched } from './types.ts';

/**
 * Starts a service application. It is reachable at its endpoint through the gateway, at its
 * stable address when it has one (the same for every build), else on its loopback port.
 */
export const launchService = async (request: HostingRequest, context: LaunchContext): Promise<Launched> => {
  const { port, process } = await startApplication(request, context);
  const endpoint = normalisePath(request.endpoint, '');
  const url =
    request.address && context.publicUrl
      ? `${context.publicUrl}${request.address}${endpoint}`
      : `http://127.0.0.1:${port}${endpoint}`;
  return { port, process, result: { url } };
};
