/**
 * `slipway bc`: the BigCommerce dialect, for storefront teams without the Catalyst CLI. A
 * deploy makes the calls that CLI makes: an upload signature, the zip PUT there, the
 * deployment, then its event stream until the outcome, and the address it is served at.
 */
import { existsSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Command } from 'commander';
import { type Api, unwrap } from '../api/client.ts';
import type { StoreDeploymentState, StoreEnvelope } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { apiError, CliError, EXIT, type ExitCode, usageError } from '../errors.ts';
import { columns, formatBytes, plural } from '../output.ts';
import { packFolder } from '../pack.ts';
import { serverSentEvents } from '../sse.ts';
import { putArtifact } from '../upload.ts';
import { collect } from '../values.ts';

interface StoreOptions {
  store?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The store and its X-Auth-Token: flags, then the environment npm start's banner sets, then the profile. */
const storeOf = (ctx: Context, options: StoreOptions) => {
  const hash = options.store ?? ctx.env.SLIPWAY_STORE_HASH ?? ctx.env.STORE_HASH ?? ctx.profile?.storeHash;
  const token = ctx.env.SLIPWAY_STORE_TOKEN ?? ctx.env.STORE_TOKEN ?? ctx.profile?.storeToken;
  if (!hash)
    throw usageError(
      'No store given.',
      'Pass --store <hash> (npm start prints it), or set SLIPWAY_STORE_HASH.',
    );
  if (!token)
    throw new CliError(
      `No store token for ${hash}.`,
      EXIT.auth,
      'Set SLIPWAY_STORE_TOKEN (npm start prints one), or slipway login --store <hash> --store-token <token>.',
    );
  return { hash, api: ctx.store(token) };
};

/** `KEY=value` pairs as BigCommerce's environment variables. */
const environmentVariables = (plain: string[] = [], secret: string[] = []) =>
  [
    ...plain.map((pair) => ['plain_text', pair] as const),
    ...secret.map((pair) => ['secret', pair] as const),
  ].map(([type, pair]) => {
    const match = /^([^=\s]+)=(.*)$/s.exec(pair);
    if (!match)
      throw usageError(`'${type === 'secret' ? pair.replace(/=.*/s, '=****') : pair}' is not KEY=value.`);
    return { type, key: match[1] ?? '', value: match[2] ?? '' };
  });

/**
 * The bundle's `output/` folder: the one named, or the one the named folder holds. Any other
 * folder (a connector, say) would be deployed as a storefront and replace the live one.
 */
export const bundleRoot = (dir: string): string => {
  if (basename(dir) === 'output') return dir;
  const output = join(dir, 'output');
  if (existsSync(output) && statSync(output).isDirectory()) return output;
  throw usageError(
    `${dir} is not a Catalyst bundle: it is not an output/ folder and holds none.`,
    'Name the output/ folder a Catalyst build leaves (or the folder that holds it); slipway deploy deploys a connector.',
  );
};

/** Zips the bundle with its files under `output/`, as a Catalyst build leaves them. */
const packBundle = (dir: string) => packFolder(bundleRoot(dir), { prefix: 'output/' });

/** A bad store token is the store's, not SLIPWAY_TOKEN (which bc does not use). */
const STORE_HINTS: Partial<Record<number, string>> = {
  401: 'Set SLIPWAY_STORE_TOKEN (or STORE_TOKEN; npm start prints one), or slipway login --store <hash> --store-token <token>.',
};

/**
 * Reads the deployment's events until its outcome. The stream closes after a while (30 s by
 * default) and is reopened with `Last-Event-ID`, so nothing is missed or read twice.
 */
const followEvents = async (ctx: Context, api: Api, hash: string, uuid: string) => {
  let lastId = '-1';
  let lastStep = '';
  for (;;) {
    const { response } = await api.GET(
      '/stores/{store_hash}/v3/infrastructure/deployments/{deployment_uuid}/events',
      {
        params: { path: { store_hash: hash, deployment_uuid: uuid } },
        headers: { 'last-event-id': lastId },
        parseAs: 'stream',
      },
    );
    if (!response.ok)
      throw apiError(
        response.status,
        await response.json().catch(() => undefined),
        STORE_HINTS[response.status],
      );
    for await (const event of serverSentEvents(response)) {
      if (event.id) lastId = event.id;
      const state = JSON.parse(event.data) as StoreDeploymentState;
      const step = state.event ? `${state.event.step} (${state.event.progress}%)` : state.deployment_status;
      // Keep-alives repeat the current state: one line per step.
      if (step !== lastStep && state.deployment_status !== 'failed') ctx.out.step(step);
      lastStep = step;
      if (state.deployment_status === 'completed' || state.deployment_status === 'failed') return state;
    }
  }
};

const deploy = async (
  ctx: Context,
  dir: string,
  options: StoreOptions & { env?: string[]; secret?: string[] },
): Promise<ExitCode> => {
  const projectUuid = ctx.options.project;
  if (!projectUuid || !UUID.test(projectUuid))
    throw usageError(
      'bc deploy needs --project <uuid>, the storefront project.',
      'slipway bc projects ls lists them; slipway bc projects create <name> makes one.',
    );
  const variables = environmentVariables(options.env, options.secret);
  const { hash, api } = storeOf(ctx, options);
  const packed = packBundle(dir);
  ctx.out.step(
    `Packed ${plural(packed.files.length, 'file')} from ${dir} (${formatBytes(packed.zip.length)})`,
  );
  const slot = await unwrap<StoreEnvelope<{ upload_url: string; upload_uuid: string }>>(
    api.POST('/stores/{store_hash}/v3/infrastructure/deployments/uploads', {
      params: { path: { store_hash: hash } },
    }),
    STORE_HINTS,
  );
  const progress = ctx.out.progress('Uploading', packed.zip.length);
  try {
    await putArtifact(slot.data.upload_url, { 'content-type': 'application/zip' }, packed.zip, (sent) =>
      progress.update(sent),
    );
  } finally {
    progress.stop();
  }
  const created = await unwrap<StoreEnvelope<{ deployment_uuid: string }>>(
    api.POST('/stores/{store_hash}/v3/infrastructure/deployments', {
      params: { path: { store_hash: hash } },
      body: {
        upload_uuid: slot.data.upload_uuid,
        project_uuid: projectUuid,
        ...(variables.length ? { environment_variables: variables } : {}),
      },
    }),
    { ...STORE_HINTS, 409: 'Wait for the deployment in progress to finish, then try again.' },
  );
  const uuid = created.data.deployment_uuid;
  ctx.out.step(`Created deployment ${uuid}`);
  const outcome = await followEvents(ctx, api, hash, uuid);
  ctx.out.result(outcome);
  if (outcome.deployment_status === 'failed') {
    ctx.out.step(ctx.out.style('red', `Failed (code ${outcome.error?.code ?? '?'})`), 'red');
    if (outcome.error) ctx.out.info(`  ${outcome.error.message}`);
    return EXIT.failed;
  }
  ctx.out.step(ctx.out.style('green', 'Completed'), 'green');
  for (const line of columns([
    ['url', outcome.deployment_url ?? ''],
    ...(outcome.deployment_hostnames ?? []).map((h) => ['hostname', h]),
  ]))
    ctx.out.line(line);
  return EXIT.ok;
};

interface StoreProject {
  uuid: string;
  name: string;
  deployment_hostnames: string[];
}

const createProject = async (ctx: Context, name: string, options: StoreOptions) => {
  const { hash, api } = storeOf(ctx, options);
  const created = await unwrap<StoreEnvelope<StoreProject>>(
    api.POST('/stores/{store_hash}/v3/infrastructure/projects', {
      params: { path: { store_hash: hash } },
      body: { name },
    }),
    STORE_HINTS,
  );
  ctx.out.result(created.data);
  ctx.out.line(created.data.uuid);
  return EXIT.ok;
};

const listProjects = async (ctx: Context, options: StoreOptions) => {
  const { hash, api } = storeOf(ctx, options);
  const page = await unwrap<StoreEnvelope<StoreProject[]>>(
    api.GET('/stores/{store_hash}/v3/infrastructure/projects', { params: { path: { store_hash: hash } } }),
    STORE_HINTS,
  );
  ctx.out.result(page.data);
  for (const line of columns(page.data.map((p) => [p.uuid, p.name, p.deployment_hostnames.join(' ')])))
    ctx.out.line(line);
  return EXIT.ok;
};

const storeOption = (command: Command) =>
  command.option(
    '--store <hash>',
    'the store hash (default: SLIPWAY_STORE_HASH, STORE_HASH, or the profile’s)',
  );

export const registerBigCommerce = (program: Command) => {
  const bc = examples(
    program
      .command('bc')
      .description(
        'the BigCommerce dialect: deploy Catalyst storefront bundles (store token: SLIPWAY_STORE_TOKEN)',
      ),
    [
      'PROJECT=$(slipway bc projects create my-storefront --store "$STORE_HASH")',
      'slipway bc deploy examples/storefront/output --store "$STORE_HASH" --project "$PROJECT"',
    ],
  );
  const deployCommand = storeOption(
    bc
      .command('deploy <dir>')
      .description(
        'deploy a Catalyst output/ bundle to a storefront project (--project <uuid>) and follow it',
      )
      .option('--env <KEY=value>', 'an environment variable (repeatable)', collect)
      .option('--secret <KEY=value>', 'a secret environment variable (repeatable; never shown)', collect),
  ).action(action(deploy));
  examples(deployCommand, [
    'slipway bc deploy examples/storefront/output --store "$STORE_HASH" --project "$PROJECT" --env GREETING=Welcome',
  ]);
  const projects = examples(bc.command('projects').description("the store's storefront projects"), [
    'slipway bc projects ls --store "$STORE_HASH"',
  ]);
  examples(
    storeOption(projects.command('create <name>').description('create a project; prints its uuid')).action(
      action(createProject),
    ),
    ['PROJECT=$(slipway bc projects create my-storefront --store "$STORE_HASH")'],
  );
  examples(
    storeOption(projects.command('ls').description('list the projects')).action(action(listProjects)),
    ['slipway bc projects ls --store "$STORE_HASH"'],
  );
};
