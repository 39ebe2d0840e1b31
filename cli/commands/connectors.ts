/**
 * `slipway connectors`: publish a connector version from a folder (uploaded to the project) or
 * a git tag, and list the connectors this tenant can deploy.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type Api, unwrap } from '../api/client.ts';
import type { paths } from '../api/schema.d.ts';
import type { Connector, ConnectorStaged, Paged } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { ApiError, EXIT, type ExitCode, usageError } from '../errors.ts';
import { columns } from '../output.ts';
import { assertProject } from '../reads.ts';
import { uploadFolder } from './deploy.ts';

interface PublishOptions {
  key: string;
  name?: string;
  email?: string;
  repo?: string;
  tag?: string;
  certify?: boolean;
}

type Source =
  | { repository: { url: string; tag: string } }
  | { artifact: { projectKey: string; uploadId: string } };

const draftRef = (key: string) => `key=${key}`;

const findDraft = async (api: Api, key: string) => {
  try {
    return await unwrap<ConnectorStaged>(
      api.GET('/connectors/drafts/{draftRef}', { params: { path: { draftRef: draftRef(key) } } }),
    );
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
};

type DraftAction = NonNullable<
  paths['/connectors/drafts/{draftRef}']['post']['requestBody']
>['content']['application/json']['actions'][number];

const updateDraft = (api: Api, draft: ConnectorStaged, actions: DraftAction[]) =>
  unwrap<ConnectorStaged>(
    api.POST('/connectors/drafts/{draftRef}', {
      params: { path: { draftRef: draft.id } },
      body: { version: draft.version, actions },
    }),
  );

/** The draft with the new source: created, or its source replaced. */
const draftWithSource = async (api: Api, options: PublishOptions, source: Source) => {
  const existing = await findDraft(api, options.key);
  if (existing) {
    const set: DraftAction =
      'repository' in source
        ? { action: 'setRepository', ...source.repository }
        : { action: 'setArtifact', ...source.artifact };
    return updateDraft(api, existing, [set]);
  }
  const email = options.email ?? process.env.SLIPWAY_CREATOR_EMAIL;
  if (!email)
    throw usageError(
      `A new connector needs its creator's email.`,
      'Pass --email you@example.com (or set SLIPWAY_CREATOR_EMAIL).',
    );
  return unwrap<ConnectorStaged>(
    api.POST('/connectors/drafts', {
      body: { key: options.key, name: options.name ?? options.key, creator: { email }, ...source },
    }),
  );
};

/** Reads the draft until its publish has ended (Published or Failed). */
const untilPublished = async (api: Api, draft: ConnectorStaged) => {
  for (;;) {
    const now = await unwrap<ConnectorStaged>(
      api.GET('/connectors/drafts/{draftRef}', { params: { path: { draftRef: draft.id } } }),
    );
    if (now.status !== 'Processing') return now;
    await sleep(300);
  }
};

const publish = async (ctx: Context, dir: string | undefined, options: PublishOptions): Promise<ExitCode> => {
  if (Boolean(dir) === Boolean(options.repo))
    throw usageError(
      'Give a folder, or --repo <url> with --tag <tag> (not both).',
      'slipway connectors publish --help',
    );
  if (options.repo && !options.tag) throw usageError('--repo needs --tag <tag>.');
  const api = await ctx.connect();
  let source: Source;
  if (dir) {
    await assertProject(api, ctx.project);
    source = { artifact: { projectKey: ctx.project, uploadId: await uploadFolder(ctx, api, dir) } };
  } else {
    source = { repository: { url: options.repo ?? '', tag: options.tag ?? '' } };
  }
  const draft = await draftWithSource(api, options, source);
  const processing = await updateDraft(api, draft, [
    { action: 'publish', certification: options.certify ?? false },
  ]);
  ctx.out.step(`Publishing ${options.key}`);
  const done = await untilPublished(api, processing);
  for (const e of done.publishingReport?.entries ?? [])
    ctx.out.info(
      `  ${ctx.out.style(e.type === 'Error' ? 'red' : 'dim', `${e.type}:`)} ${e.title}${e.message ? ` ${e.message}` : ''}`,
    );
  if (done.status !== 'Published') {
    ctx.out.result(done);
    ctx.out.step(ctx.out.style('red', `${options.key} is ${done.status}`), 'red');
    return EXIT.failed;
  }
  const connector = await unwrap<Connector>(
    api.GET('/connectors/{connectorRef}', { params: { path: { connectorRef: `key=${options.key}` } } }),
  );
  ctx.out.result(connector);
  ctx.out.line(`Published ${connector.key} version ${connector.version}.`);
  return EXIT.ok;
};

const list = async (ctx: Context) => {
  const api = await ctx.connect();
  const page = await unwrap<Paged<Connector>>(
    api.GET('/connectors/search', { params: { query: { limit: '500', sort: 'key asc' } } }),
  );
  ctx.out.result(page.results);
  if (page.results.length === 0)
    ctx.out.line('No connectors yet: slipway connectors publish <dir> --key <key>.');
  const rows = page.results.map((c) => [
    c.key,
    `v${c.version}`,
    c.name,
    c.certified ? 'certified' : 'private',
  ]);
  for (const line of columns(rows)) ctx.out.line(line);
  return EXIT.ok;
};

export const registerConnectors = (program: Command) => {
  const connectors = examples(program.command('connectors').description('publish and list connectors'), [
    'slipway connectors publish examples/connector --key greeter --email dev@example.com',
    'slipway connectors ls',
  ]);
  examples(
    connectors
      .command('publish [dir]')
      .description('publish a connector version from a folder (uploaded to --project) or a git tag')
      .requiredOption('-k, --key <key>', 'the connector’s key')
      .option('--repo <url>', 'a git repository to publish from (with --tag)')
      .option('--tag <tag>', 'the tag of --repo')
      .option('--name <name>', 'the connector’s name (default: its key)')
      .option('--email <email>', 'the creator’s email, for a new connector (default: SLIPWAY_CREATOR_EMAIL)')
      .option('--certify', 'list it for every tenant of this server (see docs/connect-api.md)')
      .action(action(publish)),
    [
      'slipway connectors publish examples/connector --key greeter --email dev@example.com --project my-shop',
      'slipway connectors publish --repo https://github.com/acme/connector.git --tag v1.2.0 --key greeter',
    ],
  );
  examples(connectors.command('ls').description('the connectors you can deploy').action(action(list)), [
    'slipway connectors ls',
  ]);
};
