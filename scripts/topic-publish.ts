/**
 * Publishes one message to a local topic of a running `npm start`: the event application of
 * the newest build hosting that topic receives it as a Pub/Sub push.
 *
 *   npm run topic:publish -- slipway-<deploymentId>-<applicationName> '{"resource":{"typeId":"order"}}'
 *
 * `<json>` is the message's data (any JSON); the running stack is found through
 * `<SLIPWAY_DATA_DIR or .slipway>/runtime.json`.
 */
import { resolve } from 'node:path';
import { runningStack, runtimeFileOf } from '../functions/local/runtime-file.ts';

const usage = `Usage: npm run topic:publish -- <topic> '<json>'`;

const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const [topic, text, ...extra] = process.argv.slice(2);
if (!topic || text === undefined || extra.length > 0) fail(usage);

let data: unknown;
try {
  data = JSON.parse(text as string);
} catch (error) {
  fail(`The message is not valid JSON (${(error as Error).message}).\n${usage}`);
}

const dataDir = resolve(process.env.SLIPWAY_DATA_DIR ?? '.slipway');
const notRunning = (why: string) => `Slipway is not running (${why}): start it with \`npm start\`.`;
const stack = runningStack(dataDir);
const runtime = 'running' in stack ? stack.running : fail(notRunning(stack.notRunning));
const url = runtime.env.SLIPWAY_LOCAL_HOSTING_URL;
const token = runtime.env.SLIPWAY_LOCAL_HOSTING_TOKEN;
if (!url || !token)
  fail(`${runtimeFileOf(dataDir)} does not name the local hosting service: restart \`npm start\`.`);

const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const publish = async (): Promise<Response> => {
  try {
    return await fetch(`${url}/topics/${encodeURIComponent(topic as string)}/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ data }),
    });
  } catch {
    return fail(notRunning(`nothing answers at ${url}`));
  }
};
const response = await publish();
const body = await response.text();

if (response.status === 404) {
  const hosted = await fetch(`${url}/applications`, { headers })
    .then((r) => r.json() as Promise<{ result: { topic?: string } }[]>)
    .catch(() => []);
  const topics = [...new Set(hosted.map((a) => a.result.topic).filter((t) => t !== undefined))];
  fail(
    `Unknown topic '${topic}'. ${topics.length > 0 ? `Topics: ${topics.join(', ')}` : 'No event application is hosted.'}`,
  );
}
if (!response.ok) fail(`The local hosting service answered ${response.status}: ${body}`);

const result = JSON.parse(body) as { messageId: string; delivered: boolean; status?: number };
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
if (!result.delivered) {
  process.stderr.write(
    `Message ${result.messageId} was not delivered${result.status ? ` (the application answered ${result.status})` : ' (the application did not answer)'}.\n`,
  );
  process.exit(1);
}
