/**
 * What an event application runs behind on AWS. Connect's event applications are written for
 * Google Cloud Pub/Sub push subscriptions: an HTTP POST of `{message: {data, messageId, …},
 * subscription}` to their endpoint, where a 2xx acknowledges. On AWS the messages come from an
 * SQS queue (fed by the application's SNS topic) through the Lambda Web Adapter, which POSTs
 * each SQS *event* to `EVENTS_BRIDGE_PATH`. This bridge sits between the two:
 *
 *   run.sh → node .slipway/pubsub-bridge.mjs <command…>
 *
 * It starts the application (`<command…>`) on `PORT + 1`, listens on `PORT` (where the Web
 * Adapter sends everything), turns every record of an SQS event into one Pub/Sub push to the
 * application's endpoint, and answers the Web Adapter with the records the application did not
 * acknowledge (`batchItemFailures`: the mapping reports batch item failures, so only those are
 * retried). Every other request (the Web Adapter's readiness check) is passed to the
 * application unchanged. Node built-ins only: the build copies this bundle into the
 * application's folder (`functions/builds/cli.ts`).
 *
 * Locally the hosting service pushes in the same form itself (`functions/local/hosting/event.ts`);
 * both build the body with `pubSubPushBody`.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import {
  EVENT_ENDPOINT_VARIABLE,
  EVENTS_BRIDGE_PATH,
  pubSubPushBody,
} from '../core/hosting/hosted-events.ts';

/** The parts of a Lambda SQS event record the bridge reads. */
export interface SqsRecord {
  messageId: string;
  body: string;
  attributes?: { SentTimestamp?: string };
  messageAttributes?: Record<string, { stringValue?: string; dataType?: string }>;
  eventSourceARN?: string;
}

/** How long one push may take: Pub/Sub's default acknowledgement deadline. */
const PUSH_TIMEOUT_MS = 10_000;

/** One SQS record as the Pub/Sub push body its application expects. */
export const pushBodyOf = (record: SqsRecord): string => {
  const sent = Number(record.attributes?.SentTimestamp);
  return pubSubPushBody({
    data: record.body,
    messageId: record.messageId,
    publishTime: new Date(Number.isFinite(sent) ? sent : Date.now()).toISOString(),
    // SNS raw delivery carries the message's attributes as SQS message attributes.
    attributes: Object.fromEntries(
      Object.entries(record.messageAttributes ?? {}).flatMap(([name, a]) =>
        a.stringValue === undefined ? [] : [[name, a.stringValue]],
      ),
    ),
    subscription: record.eventSourceARN ?? '',
  });
};

const readBody = async (req: IncomingMessage): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Forwards a request to the application as it is and streams its answer back. */
const passThrough = (appPort: number, req: IncomingMessage, res: ServerResponse) => {
  const upstream = request(
    { host: '127.0.0.1', port: appPort, method: req.method, path: req.url, headers: req.headers },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  // Not listening yet (still starting): the Web Adapter's readiness check tries again.
  upstream.once('error', (error) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`application not reachable: ${error.message}`);
  });
  req.pipe(upstream);
};

const push = async (appPort: number, endpoint: string, record: SqsRecord): Promise<boolean> => {
  try {
    const answer = await fetch(`http://127.0.0.1:${appPort}${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: pushBodyOf(record),
      signal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
    });
    await answer.arrayBuffer();
    return answer.ok;
  } catch {
    return false;
  }
};

export interface BridgeOptions {
  /** Where the bridge listens (the Web Adapter's port). */
  port: number;
  /** Where the application listens. */
  appPort: number;
  /** The application's endpoint, where pushes go. */
  endpoint: string;
}

/** The bridge's HTTP server, listening on `port`. */
export const startBridge = async ({ port, appPort, endpoint }: BridgeOptions): Promise<Server> => {
  const server = createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== EVENTS_BRIDGE_PATH) return passThrough(appPort, req, res);
    void (async () => {
      let records: SqsRecord[];
      try {
        const event = JSON.parse((await readBody(req)).toString('utf8')) as { Records?: SqsRecord[] };
        records = Array.isArray(event.Records) ? event.Records : [];
      } catch {
        res.writeHead(400, { 'content-type': 'text/plain' }).end('not an SQS event');
        return;
      }
      const failures: { itemIdentifier: string }[] = [];
      for (const record of records)
        if (!(await push(appPort, endpoint, record))) failures.push({ itemIdentifier: record.messageId });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ batchItemFailures: failures }));
    })();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
};

const main = async () => {
  const [command, ...args] = process.argv.slice(2);
  if (!command) throw new Error('usage: pubsub-bridge <command> [args…]');
  const port = Number(process.env.PORT ?? 8080);
  const appPort = port + 1;
  const app: ChildProcess = spawn(command, args, {
    stdio: 'inherit',
    env: { ...process.env, PORT: String(appPort) },
  });
  // The bridge lives and dies with its application.
  app.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => app.kill(signal));
  const endpoint = process.env[EVENT_ENDPOINT_VARIABLE] ?? '/';
  await startBridge({ port, appPort, endpoint });
  process.stdout.write(
    `[slipway] Pub/Sub bridge on port ${port}, pushing to ${endpoint} on port ${appPort}\n`,
  );
};

if (process.argv[1] && import.meta.filename === process.argv[1]) void main();
