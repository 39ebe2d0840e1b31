/** Reading deployments: `slipway ls`, `status`, `revisions` and `logs`. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { unwrap } from '../api/client.ts';
import type { Deployment, DeploymentRevision, Paged } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { EXIT } from '../errors.ts';
import { applicationLines } from '../follow.ts';
import { LogCursor, printLog } from '../logs.ts';
import { columns, type Output } from '../output.ts';
import { byKey, getDeployment, listRevisions } from '../reads.ts';
import { positiveInteger, sinceDate } from '../values.ts';

/** Where a deployment's build comes from: a connector version, or an upload. */
const sourceOf = (d: Deployment) =>
  d.connector.artifact
    ? `upload ${d.connector.artifact.uploadId}`
    : `${d.connector.key ?? d.connector.id} v${d.connector.version}`;

/** A status in its colour: green deployed, red failed, yellow on its way. */
const statusStyle = (out: Output, status: string) =>
  out.style(status.startsWith('Deployed') ? 'green' : /Failed/.test(status) ? 'red' : 'yellow', status);

const revisionRows = (revisions: DeploymentRevision[]) =>
  columns(
    revisions.map((r) => [
      String(r.revision),
      r.createdAt,
      r.buildKept ? 'build kept' : 'build removed',
      r.rollbackRevision ? `rollback to ${r.rollbackRevision}` : '',
    ]),
  );

const list = async (ctx: Context, options: { limit: number }) => {
  const api = await ctx.connect();
  const projectKey = ctx.project;
  const page = await unwrap<Paged<Deployment>>(
    api.GET('/{projectKey}/deployments', {
      params: { path: { projectKey }, query: { limit: String(options.limit), sort: 'createdAt desc' } },
    }),
    { 404: 'slipway projects ls lists the projects.' },
  );
  ctx.out.result(page.results);
  if (page.results.length === 0) {
    ctx.out.line(`No deployments in ${projectKey} yet: slipway deploy <dir> --key <key>.`);
    return EXIT.ok;
  }
  const rows = page.results.map((d) => [
    d.key ?? d.id,
    d.status,
    `v${d.version}`,
    d.lastModifiedAt,
    sourceOf(d),
  ]);
  const header = ['KEY', 'STATUS', 'VERSION', 'UPDATED', 'SOURCE'];
  const [head = '', ...lines] = columns([header, ...rows], (cell, column) =>
    column === 1 && cell.trim() !== 'STATUS' ? statusStyle(ctx.out, cell) : cell,
  );
  ctx.out.line(ctx.out.style('bold', head));
  for (const line of lines) ctx.out.line(line);
  if (page.total > page.results.length)
    ctx.out.line(`(${page.results.length} of ${page.total}: --limit shows more)`);
  return EXIT.ok;
};

const status = async (ctx: Context, key: string) => {
  const api = await ctx.connect();
  const d = await getDeployment(api, ctx.project, byKey(key));
  ctx.out.result(d);
  if (ctx.out.json) return EXIT.ok;
  const { out } = ctx;
  const revisions = await listRevisions(api, ctx.project, key, 5);
  out.line(
    `${out.style('bold', d.key ?? d.id)}  ${statusStyle(out, d.status)}  (version ${d.version}, ${d.type}, ${d.deployedRegion})`,
  );
  for (const line of columns([
    ['id', d.id],
    ['source', sourceOf(d)],
    ['created', d.createdAt],
    ['updated', d.lastModifiedAt],
    ...(d.rollbackRevision ? [['rolled back to', `revision ${d.rollbackRevision}`]] : []),
  ]))
    out.line(`  ${line}`);
  out.line();
  out.line(out.style('bold', 'Applications'));
  for (const line of applicationLines(d)) out.line(`  ${line}`);
  out.line();
  out.line(out.style('bold', 'Report'));
  for (const e of d.details.build.report.entries) {
    const style = e.type === 'Error' ? 'red' : e.type === 'Warning' ? 'yellow' : 'dim';
    out.line(
      `  ${out.style(style, e.type)}  ${e.title}${e.application ? ` [${e.application}]` : ''}  ${out.style('dim', e.createdAt)}`,
    );
    if (e.message) out.line(`    ${e.message}`);
  }
  out.line();
  out.line(out.style('bold', `Revisions (${revisions.total})`));
  for (const line of revisionRows(revisions.results)) out.line(`  ${line}`);
  if (revisions.total > revisions.results.length) out.line(`  … slipway revisions ${key} lists them all`);
  return EXIT.ok;
};

const revisions = async (ctx: Context, key: string, options: { limit: number }) => {
  const api = await ctx.connect();
  const page = await listRevisions(api, ctx.project, key, options.limit);
  ctx.out.result(page.results);
  if (page.results.length === 0)
    ctx.out.line(`${key} has no revisions yet: one is recorded each time it reaches Deployed.`);
  for (const line of revisionRows(page.results)) ctx.out.line(line);
  return EXIT.ok;
};

/** Between two reads of `--follow`: new lines appear within a second. */
const FOLLOW_POLL_MS = 1_000;

const logs = async (
  ctx: Context,
  key: string,
  options: { since: string; follow?: boolean; app?: string },
) => {
  // Checked before connecting: a bad --since is the command line's fault, whatever the server.
  const since = sinceDate(options.since);
  const api = await ctx.connect();
  const cursor = new LogCursor(api, ctx.project, byKey(key), since, options.app);
  const first = await cursor.next();
  if (ctx.out.json && !options.follow) {
    ctx.out.result(first);
    return EXIT.ok;
  }
  // With --follow and --json, one JSON object a line (NDJSON), as they come.
  const print = (entries: typeof first) => {
    for (const log of entries) {
      if (ctx.out.json) ctx.out.record(log);
      else printLog(ctx.out, log, true);
    }
  };
  print(first);
  while (options.follow) {
    await sleep(FOLLOW_POLL_MS);
    print(await cursor.next());
  }
  return EXIT.ok;
};

export const registerDeployments = (program: Command) => {
  examples(
    program
      .command('ls')
      .description("list the project's deployments, newest first")
      .option('--limit <n>', 'how many', positiveInteger('--limit'), 50)
      .action(action(list)),
    ['slipway ls --project my-shop', 'slipway ls --json'],
  );
  examples(
    program
      .command('status <key>')
      .description("a deployment's status, applications, report entries and latest revisions")
      .action(action(status)),
    ['slipway status greeter', 'slipway status greeter --json'],
  );
  examples(
    program
      .command('revisions <key>')
      .description("a deployment's revisions (one per successful deploy), most recent first")
      .option('--limit <n>', 'how many', positiveInteger('--limit'), 20)
      .action(action(revisions)),
    ['slipway revisions greeter'],
  );
  examples(
    program
      .command('logs <key>')
      .description("a deployment's logs: its builds, scripts and applications")
      .option('--since <when>', 'from this long ago (30s, 10m, 2h, 7d) or this date', '1d')
      .option('-f, --follow', 'keep printing new lines until Ctrl-C')
      .option('--app <name>', 'one application’s lines only')
      .action(action(logs)),
    ['slipway logs greeter --since 10m', 'slipway logs greeter --follow --app service'],
  );
};
