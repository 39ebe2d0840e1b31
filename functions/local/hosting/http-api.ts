import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { z } from 'zod';
import { ApplicationHostingFailed } from '../../core/hosting/errors.ts';
import type { HostedApplication, HostingRequest } from '../../core/hosting/ports.ts';
import { reasonOf } from './errors.ts';
import type { PublishResult, StopTarget } from './types.ts';

/**
 * The hosting service's HTTP API, which the deploy steps call
 * (`functions/adapters/hosting/local-hosting.ts`) since they run as Lambda bundles.
 */

const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Ids become path segments and topic names: nothing that can climb out of a directory. */
const PathSegment = z.string().regex(/^(?!\.{1,2}$)[\w.-]{1,128}$/, 'letters, digits, ".", "_" or "-"');

const HealthCheckSeconds = z.number().int().min(1).max(20);

const HostingRequestBody = z.strictObject({
  projectId: z.string().min(1),
  deploymentId: PathSegment,
  buildId: PathSegment,
  applicationName: PathSegment,
  applicationType: z.enum(['service', 'event', 'job', 'assets']),
  bundle: z.string().min(1),
  endpoint: z.string().optional(),
  healthCheckPath: z.string().optional(),
  // connect.yaml's bounds (1–20 each), which its parser already checked.
  healthCheck: z
    .strictObject({
      intervalSeconds: HealthCheckSeconds.optional(),
      timeoutSeconds: HealthCheckSeconds.optional(),
      unhealthyThreshold: HealthCheckSeconds.optional(),
    })
    .optional(),
  schedule: z.string().optional(),
  address: z
    .string()
    .regex(/^\/apps\/[^/]+\/[^/]+\/[^/]+$/)
    .optional(),
  environment: z.record(z.string(), z.string()),
  secretValues: z.array(z.string()).optional(),
});

const StopBody = z.strictObject({
  deploymentId: PathSegment,
  buildId: PathSegment.optional(),
  exceptBuildId: PathSegment.optional(),
  keepFiles: z.boolean().optional(),
});

const MessageBody = z.strictObject({
  data: z.json(),
  attributes: z.record(z.string(), z.string()).optional(),
});

/** The hosting service as its HTTP API reaches it. */
export interface HostingApiTarget {
  host(request: HostingRequest): Promise<HostedApplication>;
  /** Resolves the number of applications stopped. */
  stop(target: StopTarget): Promise<number>;
  list(): unknown;
  publish(
    topic: string,
    data: unknown,
    attributes?: Record<string, string>,
  ): Promise<PublishResult | undefined>;
  serveAsset(req: IncomingMessage, res: ServerResponse): boolean;
}

/** Starts the HTTP API of `target` on a free loopback port, guarded by the bearer `token`. */
export const startHostingApi = async (target: HostingApiTarget, token: string): Promise<Server> => {
  const server = createServer((req, res) => {
    void handle(target, token, req, res).catch((error: Error) => {
      if (!res.headersSent) json(res, 500, { message: error.message });
      else res.destroy();
    });
  });
  await new Promise<void>((ready, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => ready());
  });
  return server;
};

const handle = async (
  target: HostingApiTarget,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> => {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  // Without the gateway in front (no public URL), assets are served here, without a token like there.
  if (path.startsWith('/assets/') && target.serveAsset(req, res)) return;
  if (!authorized(req, token)) return json(res, 401, { message: 'Unauthorized' });
  try {
    const method = req.method ?? 'GET';
    if (method === 'POST' && path === '/applications') {
      const request = parseBody(HostingRequestBody, await readJson(req));
      try {
        return json(res, 200, await target.host(request));
      } catch (error) {
        if (!(error instanceof ApplicationHostingFailed)) throw error;
        return json(res, 422, { code: error.code, message: reasonOf(error) });
      }
    }
    if (method === 'POST' && path === '/applications/stop') {
      const stop = parseBody(StopBody, await readJson(req));
      return json(res, 200, { stopped: await target.stop(stop) });
    }
    if (method === 'GET' && path === '/applications') return json(res, 200, target.list());
    const topic = /^\/topics\/([^/]+)\/messages$/.exec(path)?.[1];
    if (method === 'POST' && topic !== undefined) {
      const name = decodeURIComponent(topic);
      const message = parseBody(MessageBody, await readJson(req));
      const result = await target.publish(name, message.data, message.attributes);
      if (!result) return json(res, 404, { message: `Unknown topic '${name}'` });
      return json(res, 200, result);
    }
    return json(res, 404, { message: `No route for ${method} ${path}` });
  } catch (error) {
    if (error instanceof BadRequest || error instanceof URIError)
      return json(res, 400, { message: error.message });
    throw error;
  }
};

const authorized = (req: IncomingMessage, token: string): boolean => {
  const given = Buffer.from(req.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
};

const json = (res: ServerResponse, status: number, body: unknown): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

class BadRequest extends Error {}

const readJson = async (req: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BadRequest(`Body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new BadRequest('Body is not valid JSON');
  }
};

const parseBody = <T>(schema: z.ZodType<T>, body: unknown): T => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new BadRequest(z.prettifyError(parsed.error));
  return parsed.data;
};
