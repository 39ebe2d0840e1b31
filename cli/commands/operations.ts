/** Changing deployments: `slipway redeploy`, `rollback`, `cancel` and `delete`. */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type Api, unwrap } from '../api/client.ts';
import type { Deployment } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { ApiError, CliError, EXIT, type ExitCode, usageError } from '../errors.ts';
import { followDeployment, printFailure } from '../follow.ts';
import { confirm } from '../prompt.ts';
import { byKey, getDeployment, listRevisions } from '../reads.ts';
import { applicationValues, positiveInteger } from '../values.ts';
import { valueOptions } from './deploy.ts';

interface WaitOption {
  wait: boolean;
}

/** What a started operation prints: followed to its end, or (`--no-wait`) the queued deployment. */
const followOrReport = async (ctx: Context, api: Api, started: Deployment, options: WaitOption) => {
  if (options.wait) return followDeployment(ctx, api, started);
  ctx.out.result(started);
  ctx.out.line(
    `${started.key ?? started.id} is ${started.status}: slipway status ${started.key ?? started.id} shows how it goes.`,
  );
  return EXIT.ok;
};

const busyHint = (key: string) => ({
  400: `slipway status ${key} shows its status; an operation in progress must end (or slipway cancel ${key}) first.`,
  409: `Someone changed ${key} meanwhile, or another deployment of the project is in progress: slipway ls, then try again.`,
});

/** Codes of a value connect.yaml does not declare: the command line is wrong, not the server. */
const CONFIGURATION_CODE = /^(DeploymentApplicationDoNotBelong|DeploymentUnknownApplicationConfiguration)/;
/** Codes of a deployment that is busy with another operation. */
const BUSY_CODES = new Set(['DeploymentInvalidStatusTransition']);

/**
 * An operation's refusal with the hint its code calls for: several rules share status 400,
 * and a hint by status alone sent a typo in --app to "wait for the operation in progress".
 */
export const operationError = (error: unknown, key: string): unknown => {
  if (!(error instanceof ApiError) || !error.code) return error;
  const refined = (exitCode: ExitCode, hint: string) =>
    new ApiError(error.message, exitCode, hint, error.status, error.code, error.body);
  if (CONFIGURATION_CODE.test(error.code))
    return refined(
      EXIT.usage,
      `Name an application and keys that connect.yaml declares (slipway status ${key} lists its applications).`,
    );
  if (BUSY_CODES.has(error.code)) return refined(error.exitCode, busyHint(key)[400]);
  // Refused for one of two reasons, which the message names: busy, or a revision whose build
  // was pruned and whose source is gone.
  if (error.code === 'DeploymentRollbackNotAllowed')
    return refined(
      error.exitCode,
      `If ${key} is busy, wait for its operation to end (slipway status ${key}); if the revision cannot be restored, slipway revisions ${key} lists the others.`,
    );
  return error;
};

const redeploy = async (
  ctx: Context,
  key: string,
  options: WaitOption & {
    app?: string[];
    secret?: string[];
    skipScripts?: boolean;
    updateConnector?: boolean;
  },
) => {
  const values = applicationValues(options.app, options.secret);
  const api = await ctx.connect();
  const current = await getDeployment(api, ctx.project, byKey(key));
  const started = await unwrap<Deployment>(
    api.POST('/{projectKey}/deployments/{deploymentRef}', {
      params: { path: { projectKey: ctx.project, deploymentRef: current.id } },
      headers: { 'idempotency-key': randomUUID(), 'if-match': `"${current.version}"` },
      body: {
        version: current.version,
        actions: [
          {
            action: 'redeploy',
            skipScripts: options.skipScripts ?? false,
            updateConnector: options.updateConnector ?? false,
            ...(values.length ? { configurationValues: values } : {}),
          },
        ],
      },
    }),
    busyHint(key),
  ).catch((error: unknown) => {
    throw operationError(error, key);
  });
  ctx.out.step(`Redeploying ${key} (version ${started.version})`);
  return followOrReport(ctx, api, started, options);
};

/**
 * The revision a rollback goes to without `--to`: the one before what is deployed now (the
 * newest revision, while the deployment is Deployed), or, after a failed attempt, the newest.
 */
const previousRevision = async (api: Api, projectKey: string, key: string, d: Deployment) => {
  const { results } = await listRevisions(api, projectKey, key, 2);
  const target = d.status === 'Deployed' ? results[1] : results[0];
  if (!target)
    throw new CliError(
      `${key} has no earlier revision to roll back to.`,
      EXIT.failed,
      'Each deploy that reaches Deployed records one: slipway revisions lists them.',
    );
  return target.revision;
};

const rollback = async (
  ctx: Context,
  key: string,
  options: WaitOption & { to?: number; runScripts?: boolean },
) => {
  const api = await ctx.connect();
  const current = await getDeployment(api, ctx.project, byKey(key));
  const revision = options.to ?? (await previousRevision(api, ctx.project, key, current));
  const started = await unwrap<Deployment>(
    api.POST('/{projectKey}/deployments/{deploymentRef}/rollback', {
      params: { path: { projectKey: ctx.project, deploymentRef: current.id } },
      headers: { 'if-match': `"${current.version}"` },
      body: { version: current.version, revision, ...(options.runScripts ? { runScripts: true } : {}) },
    }),
    { ...busyHint(key), 400: `slipway revisions ${key} lists the revisions a rollback can go to.` },
  ).catch((error: unknown) => {
    throw operationError(error, key);
  });
  ctx.out.step(`Rolling ${key} back to revision ${revision} (version ${started.version})`);
  return followOrReport(ctx, api, started, options);
};

/** A deploy in progress bumps its version at each step: a cancel that lost that race reads again. */
const CANCEL_ATTEMPTS = 5;

const cancel = async (ctx: Context, key: string) => {
  const api = await ctx.connect();
  for (let attempt = 1; ; attempt++) {
    const current = await getDeployment(api, ctx.project, byKey(key));
    try {
      const canceled = await unwrap<Deployment>(
        api.POST('/{projectKey}/deployments/{deploymentRef}', {
          params: { path: { projectKey: ctx.project, deploymentRef: current.id } },
          body: { version: current.version, actions: [{ action: 'cancel' }] },
        }),
        { 400: `Only a Queued or Deploying deployment can be canceled; ${key} is ${current.status}.` },
      );
      ctx.out.result(canceled);
      ctx.out.line(`Canceled ${key}: it is ${canceled.status}; what it served before keeps serving.`);
      return EXIT.ok;
    } catch (error) {
      const raced = error instanceof ApiError && error.code === 'ConcurrentModification';
      if (!raced || attempt === CANCEL_ATTEMPTS) throw error;
    }
  }
};

/** Reads the deployment until the undeploy ends: gone (404), or UndeployFailed. */
const untilDeleted = async (ctx: Context, api: Api, d: Deployment): Promise<ExitCode> => {
  for (;;) {
    let now: Deployment;
    try {
      now = await getDeployment(api, ctx.project, d.id);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        ctx.out.step(`Deleted ${d.key ?? d.id}`, 'green');
        return EXIT.ok;
      }
      throw error;
    }
    if (now.status === 'UndeployFailed') {
      ctx.out.step(`${d.key ?? d.id} is UndeployFailed`, 'red');
      printFailure(ctx.out, now, []);
      return EXIT.failed;
    }
    await sleep(300);
  }
};

const remove = async (
  ctx: Context,
  key: string,
  options: WaitOption & { yes?: boolean; skipScripts?: boolean },
) => {
  if (!options.yes) {
    if (!process.stdin.isTTY || !process.stderr.isTTY)
      throw usageError(
        `Deleting ${key} needs --yes when not run from a terminal.`,
        `slipway delete ${key} --yes`,
      );
    if (!(await confirm(`Delete ${key} from ${ctx.project}? Its applications stop and its address goes.`))) {
      ctx.out.info('Nothing was deleted.');
      return EXIT.failed;
    }
  }
  const api = await ctx.connect();
  const current = await getDeployment(api, ctx.project, byKey(key));
  const deleting = await unwrap<Deployment>(
    api.DELETE('/{projectKey}/deployments/{deploymentRef}', {
      params: {
        path: { projectKey: ctx.project, deploymentRef: current.id },
        query: { skipScripts: options.skipScripts ? 'true' : 'false' },
      },
      headers: { 'if-match': `"${current.version}"` },
    }),
    busyHint(key),
  );
  ctx.out.result(deleting);
  ctx.out.step(`Undeploying ${key}`);
  return options.wait ? untilDeleted(ctx, api, deleting) : EXIT.ok;
};

export const registerOperations = (program: Command) => {
  const redeployCommand = program
    .command('redeploy <key>')
    .description('deploy again what the deployment runs, with changed values (a folder: slipway deploy)')
    .option('--skip-scripts', 'do not run the postDeploy scripts')
    .option('--update-connector', 'move to the connector’s newest version first')
    .option('--no-wait', 'return once it is queued');
  valueOptions(redeployCommand).action(action(redeploy));
  examples(redeployCommand, [
    'slipway redeploy greeter --app service.GREETING=Bonjour',
    'slipway redeploy greeter --secret service.API_TOKEN="$NEW_TOKEN" --skip-scripts',
  ]);
  examples(
    program
      .command('rollback <key>')
      .description('deploy an earlier revision again (its kept build, without building)')
      .option(
        '--to <revision>',
        'the revision (default: the one before the current)',
        positiveInteger('--to'),
      )
      .option('--run-scripts', 'run the postDeploy scripts (a rollback skips them by default)')
      .option('--no-wait', 'return once it is queued')
      .action(action(rollback)),
    ['slipway rollback greeter', 'slipway rollback greeter --to 1'],
  );
  examples(
    program
      .command('cancel <key>')
      .description('stop a Queued or Deploying deployment (it ends Failed, "Canceled")')
      .action(action(cancel)),
    ['slipway cancel greeter'],
  );
  examples(
    program
      .command('delete <key>')
      .description('undeploy and delete a deployment (asks first, unless --yes)')
      .option('-y, --yes', 'do not ask (required when not on a terminal)')
      .option('--skip-scripts', 'do not run the preUndeploy scripts')
      .option('--no-wait', 'return once the undeploy has started')
      .action(action(remove)),
    ['slipway delete greeter', 'slipway delete greeter --yes --json'],
  );
};
