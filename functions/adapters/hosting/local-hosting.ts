import { ApplicationHostingFailed } from '../../core/hosting/errors.ts';
import type { ApplicationHosting, HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';

/**
 * The local hosting service of `npm start` (`functions/local/hosting/`), reached over
 * its HTTP API: the deploy steps run as Lambda bundles and cannot hold child processes
 * themselves. Only `fetch`, so the bundles stay small.
 */
export const localHosting = (baseUrl: string, token: string): ApplicationHosting => {
  const post = async (path: string, body: unknown): Promise<{ status: number; text: string }> => {
    const response = await fetch(`${baseUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  const unexpected = (path: string, status: number, text: string) =>
    new Error(`Local hosting answered ${status} to POST ${path}: ${text}`);

  return {
    async host(request: HostingRequest): Promise<HostedApplication> {
      // Every local process runs as this machine's user: the service scopes nothing by tenant.
      const { tenant: _, ...body } = request;
      const { status, text } = await post('/applications', body);
      if (status === 200) return JSON.parse(text) as HostedApplication;
      if (status === 422) {
        const { message } = JSON.parse(text) as { message?: string };
        throw new ApplicationHostingFailed(request.applicationName, message ?? text);
      }
      throw unexpected('/applications', status, text);
    },
    async stop(target) {
      const { status, text } = await post('/applications/stop', target);
      if (status !== 200) throw unexpected('/applications/stop', status, text);
    },
  };
};
