/**
 * Checks a live Slipway end to end, in both dialects, with the examples: after `npm run deploy`
 * against the stack's API URL, or against `npm start` (as CI does, so this cannot rot).
 *
 *   npm run smoke -- --url <api> [--client-id <id> --client-secret <secret> | --token <jwt>]
 *                    [--store-hash <hash> --store-token <token>] [--timeout <seconds>]
 *
 * Steps: health; a token (client credentials, or the token given, checked); the BigCommerce
 * dialect with examples/storefront (project, upload, deployment, events to `completed`, the
 * site answers, logs, delete the project and see the site go); the Connect dialect with
 * examples/connector from an upload (upload marked `uploaded`, deployment to `Deployed`, its
 * applications answer, logs, undeploy); health again. Each prints `✓ <step> (<ms> ms)` or
 * `✗ <step>: <reason>`, and the first failure ends the run with exit code 1 (2: wrong usage,
 * 130: interrupted). What a run creates has a name of its own and is removed, also on failure.
 * The one thing kept is the Connect project (`--project`, default `slipway-smoke`): Connect
 * has no DELETE of a project, so every run reuses it rather than leaving one more behind.
 *
 * Options default to the variables `npm start` prints in its `export` lines; give secrets that
 * way rather than on the command line, which npm echoes (`npm run -s` does not) and the shell
 * keeps in its history. Nothing secret is printed: no token, secret, or presigned URL's query.
 * `test/integration/smoke.test.ts` runs this very script against the local stack.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { setTimeout as pause } from 'node:timers/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { type StoreCredentials, smokeBigCommerce } from './smoke/bigcommerce.ts';
import { type ConnectTarget, smokeConnect } from './smoke/connect.ts';
import { caller, printable, SmokeError } from './smoke/http.ts';
import { Leftovers, type Smoke, StepFailed, stepper } from './smoke/steps.ts';

const seconds = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('a whole number of seconds above 0');
  return n;
};

const program = new Command('npm run smoke --')
  .description('Exercise a live Slipway end to end with the examples, in both dialects.')
  .addOption(
    new Option('--url <url>', "the API's base URL: the stack's API URL output, or what npm start printed")
      .env('SLIPWAY_URL')
      .makeOptionMandatory(),
  )
  .addOption(new Option('--client-id <id>', 'an admin API client (npm run client:create)').env('CLIENT_ID'))
  .addOption(new Option('--client-secret <secret>', "that client's secret").env('CLIENT_SECRET'))
  .addOption(
    new Option('--token <jwt>', 'an admin bearer token, instead of client credentials').env('SLIPWAY_TOKEN'),
  )
  .addOption(new Option('--store-hash <hash>', 'a store for the BigCommerce dialect').env('STORE_HASH'))
  .addOption(new Option('--store-token <token>', "that store's X-Auth-Token").env('STORE_TOKEN'))
  .option(
    '--project <key>',
    'the Connect project deployments go to (created if missing, kept)',
    'slipway-smoke',
  )
  .option('--region <region>', 'the region of the Connect deployment', 'europe-west1.gcp')
  .addOption(
    new Option('--timeout <seconds>', 'how long each wait may take (Deployed, completed, an undeploy)')
      .argParser(seconds)
      .default(300),
  )
  .option('--no-connect', 'skip the Connect dialect')
  .option('--no-bigcommerce', 'skip the BigCommerce dialect')
  .showHelpAfterError()
  .parse();

interface Options {
  url?: string;
  clientId?: string;
  clientSecret?: string;
  token?: string;
  storeHash?: string;
  storeToken?: string;
  project: string;
  region: string;
  timeout: number;
  connect: boolean;
  bigcommerce: boolean;
}
// A variable set but empty (`CLIENT_ID=`) counts as not given.
const options = Object.fromEntries(
  Object.entries(program.opts<Options>()).filter(([, value]) => value !== ''),
) as unknown as Options;
const usageError = (message: string): never => program.error(`error: ${message}`, { exitCode: 2 });

const out = (line: string) => process.stdout.write(`${line}\n`);
const url = options.url ?? usageError("required option '--url <url>' not specified");
const base = url.replace(/\/+$/, '');
if (!/^https?:\/\/[^/]/.test(base)) usageError(`--url must be an http(s) address, not '${url}'`);

/**
 * Where the Connect token comes from. A `--token` typed on the command line wins; otherwise
 * client credentials when both are there, since they never expire (the banner's token lasts
 * 24 hours); otherwise a token from SLIPWAY_TOKEN.
 */
type Credentials = { clientId: string; clientSecret: string } | { token: string } | undefined;
const credentials = ((): Credentials => {
  const { clientId, clientSecret, token } = options;
  if (token !== undefined && program.getOptionValueSource('token') === 'cli') return { token };
  if (clientId !== undefined && clientSecret !== undefined) return { clientId, clientSecret };
  return token === undefined ? undefined : { token };
})();
const store: StoreCredentials | undefined =
  options.storeHash !== undefined && options.storeToken !== undefined
    ? { url: base, storeHash: options.storeHash, storeToken: options.storeToken }
    : undefined;

const runConnect = options.connect && credentials !== undefined;
const runBigCommerce = options.bigcommerce && store !== undefined;
if (!runConnect && !runBigCommerce)
  usageError(
    'nothing to check: give --client-id and --client-secret (or --token) for the Connect dialect, ' +
      'and/or --store-hash and --store-token for the BigCommerce dialect',
  );

// Ctrl-C: the running step fails as "interrupted" and the cleanup still runs; a second one quits.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});

const leftovers = new Leftovers();
const step = stepper(out);
const call = caller(interrupt.signal);
const smoke: Smoke = {
  step,
  call,
  cleanupCall: caller(new AbortController().signal),
  leftovers,
  signal: interrupt.signal,
  timeoutMs: options.timeout * 1000,
  // Lower case, time first: a valid project name and deployment key, unique per run, sortable.
  name: `smoke-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`,
  examples: resolve(import.meta.dirname, '..', 'examples'),
};

type Health = { status?: string; dependencies?: Record<string, string> } | undefined;
const describeHealth = (health: Health) =>
  Object.entries(health?.dependencies ?? {})
    .map(([name, state]) => `${name} ${state}`)
    .join(', ');

/**
 * `GET /health`: 200 with every dependency `ok`. Each probe behind it has a 2 s limit, so a
 * loaded machine can make one read `down` for a moment: a 503 is asked again, twice, past
 * the answer's 2 s cache, and the detail says so. Three 503s in a row fail the step.
 */
const checkHealth = (name: string) =>
  step(name, async (note) => {
    const degraded: string[] = [];
    for (;;) {
      const { status, body } = await call('GET', `${base}/health`, { expect: [200, 503] });
      const health = body as Health;
      if (status === 200 && health?.status === 'ok') {
        note(describeHealth(health));
        if (degraded.length > 0) note(`after ${degraded.length} answer(s) 503: ${degraded.join('; ')}`);
        return;
      }
      if (status === 200) throw new SmokeError(`answered 200 with status ${health?.status}`);
      degraded.push(describeHealth(health) || 'no dependencies named');
      if (degraded.length === 3)
        throw new SmokeError(`answered 503 three times, 2.5 s apart: ${degraded.join('; ')}`);
      try {
        await pause(2_500, undefined, { signal: interrupt.signal });
      } catch {
        throw new SmokeError('interrupted');
      }
    }
  });

/** A bearer token for the Connect dialect: from client credentials, or the one given, checked. */
const obtainToken = (given: NonNullable<Credentials>) =>
  step('token', async (note) => {
    if ('token' in given) {
      // Checked on a route every admin token may read, so a wrong one fails here, named.
      await call('GET', `${base}/projects?limit=1`, { headers: { authorization: `Bearer ${given.token}` } });
      note('the token given is accepted');
      return given.token;
    }
    const basic = Buffer.from(`${given.clientId}:${given.clientSecret}`).toString('base64');
    const { body } = await call('POST', `${base}/oauth/token`, {
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const answer = body as { access_token: string; scope: string; expires_in: number };
    note(`scope ${answer.scope}, ${answer.expires_in} s`);
    return answer.access_token;
  });

const main = async (): Promise<number> => {
  out(
    `Smoke run ${smoke.name} against ${printable(base).replace(/\/$/, '')} (waits up to ${options.timeout} s)`,
  );
  try {
    await checkHealth('health');
    const token = runConnect && credentials ? await obtainToken(credentials) : undefined;
    if (store && runBigCommerce) await smokeBigCommerce(smoke, store);
    else
      out(
        `- bigcommerce: skipped (${options.bigcommerce ? 'no --store-hash and --store-token' : '--no-bigcommerce'})`,
      );
    if (token !== undefined) {
      const target: ConnectTarget = { url: base, token, projectKey: options.project, region: options.region };
      await smokeConnect(smoke, target);
    } else
      out(
        `- connect: skipped (${options.connect ? 'no --client-id and --client-secret, nor --token' : '--no-connect'})`,
      );
    await checkHealth('health at the end');
    out('All steps passed.');
    return 0;
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    return interrupt.signal.aborted ? 130 : 1;
  } finally {
    await leftovers.removeAll((line) => process.stderr.write(`${line}\n`));
  }
};

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `smoke: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
