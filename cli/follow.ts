/**
 * Following a Connect deployment's operation to its end. The Connect dialect has no event
 * stream (the BigCommerce dialect's is read by `slipway bc`), so this reads the deployment and
 * its new log lines a few times a second: a line per status it passes through, the build's and
 * the applications' lines beneath, and the outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from './api/client.ts';
import type { Deployment, DeploymentLog, ReportEntry } from './api/types.ts';
import type { Context } from './context.ts';
import { CliError, EXIT, type ExitCode } from './errors.ts';
import { LogCursor, printLog } from './logs.ts';
import { columns, type Output } from './output.ts';
import { getDeployment } from './reads.ts';

/** Often enough that steps show as they happen, seldom enough to cost the server nothing. */
const POLL_MS = 300;

const TERMINAL = new Set(['Deployed', 'Failed', 'UndeployFailed']);

/** `service  http://…`: each application and where it is reached. */
export const applicationLines = (d: Deployment): string[] =>
  columns(d.applications.map((a) => [a.applicationName, a.url ?? a.topic ?? a.schedule ?? '']));

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)}s`;

const entryLine = (out: Output, e: ReportEntry) => {
  const style = e.type === 'Error' ? 'red' : e.type === 'Warning' ? 'yellow' : 'dim';
  const where = e.application ? ` [${e.application}]` : '';
  return `${out.style(style, `${e.type}:`)} ${e.title}${where}${e.message ? `\n    ${e.message}` : ''}`;
};

/** What a failed operation left: its Error entries and the last lines of its logs. */
export const printFailure = (out: Output, d: Deployment, logs: DeploymentLog[]) => {
  for (const e of d.details.build.report.entries.filter((x) => x.type === 'Error'))
    out.info(`  ${entryLine(out, e)}`);
  const last = logs.slice(-5);
  if (last.length > 0) {
    out.info(out.style('bold', 'Last log lines:'));
    for (const log of last) printLog(out, log);
  }
};

/**
 * Follows the operation `started` (a deployment as a create, redeploy or rollback answered)
 * until it ends, then prints the outcome: the applications' lines on stdout (the deployment
 * with `--json`), or the failure. Returns the exit code: 0 Deployed, 1 otherwise. Ctrl-C stops
 * following, not the deployment.
 */
export const followDeployment = async (ctx: Context, api: Api, started: Deployment): Promise<ExitCode> => {
  const { out } = ctx;
  const projectKey = ctx.project;
  const t0 = Date.now();
  const cursor = new LogCursor(
    api,
    projectKey,
    started.id,
    new Date(Date.parse(started.lastModifiedAt) - 1_000),
  );
  const logs: DeploymentLog[] = [];
  const printed = new Set<string>();
  let status = started.status;
  out.step(`${status} ${out.style('dim', `(${seconds(t0)})`)}`);
  const interrupted = new AbortController();
  const onInterrupt = () => interrupted.abort();
  process.once('SIGINT', onInterrupt);
  try {
    for (;;) {
      const d = await getDeployment(api, projectKey, started.id);
      // Another operation replaced this one (a redeploy from elsewhere): it is not ours to follow.
      const ours = d.details.build.id === started.details.build.id;
      // The last status is the outcome's line, below.
      if (d.status !== status && !TERMINAL.has(d.status))
        out.step(`${d.status} ${out.style('dim', `(${seconds(t0)})`)}`);
      status = d.status;
      const fresh = await cursor.next();
      logs.push(...fresh);
      for (const log of fresh) printLog(out, log);
      for (const e of d.details.build.report.entries) {
        const id = `${e.createdAt} ${e.title}`;
        if (printed.has(id) || e.type === 'Error' || e.title === 'Deployed') continue;
        printed.add(id);
        out.info(`  ${entryLine(out, e)}`);
      }
      if (TERMINAL.has(d.status) || !ours) return outcome(ctx, d, logs, t0);
      await sleep(POLL_MS, undefined, { signal: interrupted.signal }).catch(() => undefined);
      if (interrupted.signal.aborted) {
        const ref = started.key ?? started.id;
        throw new CliError(
          `Stopped following: the deployment goes on (${d.status}).`,
          EXIT.failed,
          `slipway status ${ref} shows where it is; slipway cancel ${ref} stops it.`,
        );
      }
    }
  } finally {
    process.off('SIGINT', onInterrupt);
  }
};

const outcome = (ctx: Context, d: Deployment, logs: DeploymentLog[], t0: number): ExitCode => {
  const { out } = ctx;
  out.result(d);
  if (d.status === 'Deployed') {
    out.step(out.style('green', `Deployed ${d.key ?? d.id} in ${seconds(t0)}`), 'green');
    for (const line of applicationLines(d)) out.line(line);
    return EXIT.ok;
  }
  out.step(out.style('red', `${d.key ?? d.id} is ${d.status}`), 'red');
  printFailure(out, d, logs);
  for (const hint of failureHints(d)) out.info(out.style('dim', hint));
  return EXIT.failed;
};

/** What to do after a failure; a failed redeploy (version 2 on) can go back to what ran before. */
export const failureHints = (d: Deployment): string[] => {
  const ref = d.key ?? d.id;
  const hints = [`slipway logs ${ref} --since 1h shows every line; slipway status ${ref} the report.`];
  if (d.version > 1)
    hints.push(
      `slipway rollback ${ref} brings back the previous revision (slipway revisions ${ref} lists them).`,
    );
  return hints;
};
