/**
 * The two jobs the workflows run where builds run (CodeBuild on AWS, this machine for
 * `npm start`): build one application, and run one application's script. Their input is the
 * CodeBuild project's environment variables, as the state machine's `startBuild.sync` task
 * sets them; the build's result is exported the way CodeBuild exports variables (`BUNDLE`).
 */
import { access, mkdir, readFile, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { z } from 'zod';
import { ConnectorSourceMissing } from '../core/connectors/errors.ts';
import { DeploymentOperationSuperseded } from '../core/deployments/errors.ts';
import type { Deployment } from '../core/deployments/model.ts';
import type {
  DeploymentLogRepository,
  DeploymentRepository,
  SecretCipher,
} from '../core/deployments/ports.ts';
import { configurationEnvironment } from '../core/deployments/workflow/host.ts';
import {
  buildCommands,
  type PackageManifest,
  redactor,
  scriptEnvironment,
} from '../core/hosting/build-rules.ts';
import { ApplicationBuildFailed, ApplicationScriptFailed } from '../core/hosting/errors.ts';
import type { CommandRunner } from '../core/hosting/ports.ts';
import type { Clock } from '../core/shared/clock.ts';
import type { ArtifactStore, ZipReader } from '../core/uploads/ports.ts';
import { logSink } from './log-sink.ts';

export interface JobDeps {
  deployments: DeploymentRepository;
  logs: DeploymentLogRepository;
  artifacts: ArtifactStore;
  zip: ZipReader;
  runner: CommandRunner;
  cipher: SecretCipher;
  clock: Clock;
  settings: { workspaceDir: string; buildTimeoutMs: number; scriptTimeoutMs: number };
}

const need = (env: Record<string, string>, name: string): string => {
  const value = env[name];
  if (!value) throw new Error(`The job needs the environment variable ${name}`);
  return value;
};

/** Names become path segments: only what ids and connect.yaml names can hold. */
const segment = (env: Record<string, string>, name: string): string => {
  const value = need(env, name);
  if (!/^[A-Za-z0-9_.-]+$/.test(value) || value === '.' || value === '..')
    throw new Error(`${name} is not a valid name: '${value}'`);
  return value;
};

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const readManifest = async (dir: string, applicationName: string): Promise<PackageManifest | undefined> => {
  const file = join(dir, 'package.json');
  if (!(await exists(file))) return undefined;
  try {
    return JSON.parse(await readFile(file, 'utf8')) as PackageManifest;
  } catch (error) {
    throw new ApplicationBuildFailed(
      applicationName,
      `package.json is not valid JSON (${(error as Error).message})`,
    );
  }
};

/**
 * Builds one application in a fresh workspace `<workspaceDir>/<deployment>/<build>/<app>`:
 * extracts its folder, then the commands its package.json calls for, all within the time
 * limit, every output line in the deployment's logs. Exports `BUNDLE`, the built folder.
 */
/**
 * A job whose operation is over (canceled, reaped) does not start: what it would build or run
 * belongs to nobody, and a script's side effects must not follow a cancel.
 */
const currentDeployment = async (
  deps: JobDeps,
  env: Record<string, string>,
  status: Deployment['status'],
) => {
  const d = await deps.deployments.get(need(env, 'PROJECT_ID'), need(env, 'DEPLOYMENT_ID'));
  if (!d || d.details.build.id !== env.OPERATION_ID || d.status !== status) throw superseded(env);
  return d;
};

/** How often a running job checks that its operation still runs (a cancel stops it within this). */
const WATCH_MS = 2_000;

/**
 * A signal that fires when the job's operation is over (canceled, reaped) or `outer` fires (the
 * local runtime shutting down), checked every WATCH_MS while `work` runs.
 */
const whileCurrent = async <T>(
  deps: JobDeps,
  env: Record<string, string>,
  status: Deployment['status'],
  outer: AbortSignal | undefined,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> => {
  const controller = new AbortController();
  const stop = () => controller.abort();
  outer?.addEventListener('abort', stop, { once: true });
  const watch = setInterval(() => {
    currentDeployment(deps, env, status).catch((error: unknown) => {
      if (error instanceof DeploymentOperationSuperseded) stop();
    });
  }, WATCH_MS);
  watch.unref();
  try {
    return await work(controller.signal);
  } finally {
    clearInterval(watch);
    outer?.removeEventListener('abort', stop);
  }
};

const superseded = (env: Record<string, string>) =>
  new DeploymentOperationSuperseded(need(env, 'DEPLOYMENT_ID'), need(env, 'OPERATION_ID'));

export const buildApplicationJob = async (
  deps: JobDeps,
  env: Record<string, string>,
  outer?: AbortSignal,
) => {
  const deploymentId = segment(env, 'DEPLOYMENT_ID');
  const operationId = segment(env, 'OPERATION_ID');
  const applicationName = segment(env, 'APPLICATION');
  await currentDeployment(deps, env, 'Deploying');
  const folder = need(env, 'FOLDER');
  const dir = resolve(deps.settings.workspaceDir, deploymentId, operationId, applicationName);
  if (!dir.startsWith(`${resolve(deps.settings.workspaceDir)}${sep}`))
    throw new Error('Invalid workspace path');
  const log = logSink(deps, deploymentId, applicationName);
  try {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const written = await deps.artifacts.withLocalCopy(need(env, 'ARTIFACT_KEY'), (path) =>
      deps.zip.extract(path, folder, dir),
    );
    if (written === undefined)
      throw new ConnectorSourceMissing('the deployment artifact is gone from storage');
    if (written === 0)
      throw new ApplicationBuildFailed(
        applicationName,
        `its folder '${folder}' is not in the artifact, or is empty`,
      );
    const manifest = await readManifest(dir, applicationName);
    const lockfile =
      (await exists(join(dir, 'package-lock.json'))) || (await exists(join(dir, 'npm-shrinkwrap.json')));
    const deadline = Date.now() + deps.settings.buildTimeoutMs;
    log.line(`Build ${operationId}: building '${applicationName}' (${written} files)`);
    for (const command of buildCommands(manifest, lockfile)) {
      log.line(`$ ${command}`);
      const { exitCode, timedOut, aborted, stoppedFor } = await whileCurrent(
        deps,
        env,
        'Deploying',
        outer,
        (signal) =>
          deps.runner.run({
            signal,
            command,
            cwd: dir,
            env: {
              CI: 'true',
              NODE_ENV: 'production',
              npm_config_update_notifier: 'false',
              npm_config_fund: 'false',
            },
            timeoutMs: Math.max(1, deadline - Date.now()),
            onLine: (line, stream) => log.line(line, stream === 'stderr' ? 'WARNING' : 'INFO'),
          }),
      );
      if (aborted) throw superseded(env);
      if (stoppedFor)
        throw new ApplicationBuildFailed(applicationName, `'${command}' was stopped: ${stoppedFor}`);
      if (timedOut)
        throw new ApplicationBuildFailed(
          applicationName,
          `'${command}' did not finish within the build's ${Math.round(deps.settings.buildTimeoutMs / 1000)} s`,
        );
      if (exitCode !== 0)
        throw new ApplicationBuildFailed(applicationName, `'${command}' exited with code ${exitCode}`);
    }
    log.line(`Build ${operationId}: '${applicationName}' built`);
    return { BUNDLE: dir };
  } catch (error) {
    log.line((error as Error).message, 'ERROR');
    throw error;
  } finally {
    await log.flush();
  }
};

/** `HOSTED`: what the application is reachable as (`ScriptJob['hosted']`, as JSON). */
const HostedSchema = z.object({
  serviceUrl: z.string().min(1).optional(),
  topic: z.string().min(1).optional(),
});

/**
 * Runs one postDeploy or preUndeploy script in the built application's folder, with its
 * configuration (secured values decrypted here, and only here) as environment variables.
 * Output is redacted of every secured value before it is logged.
 */
export const runScriptJob = async (deps: JobDeps, env: Record<string, string>, outer?: AbortSignal) => {
  const deploymentId = need(env, 'DEPLOYMENT_ID');
  const applicationName = need(env, 'APPLICATION');
  const script = need(env, 'SCRIPT');
  const status = script === 'preUndeploy' ? 'Undeploying' : 'Deploying';
  const d = await currentDeployment(deps, env, status);
  const { environment, secretValues } = await configurationEnvironment(deps, d, applicationName);
  const redact = redactor(secretValues);
  const log = logSink(deps, deploymentId, applicationName);
  const timeoutMs = deps.settings.scriptTimeoutMs;
  try {
    log.line(`$ ${script}: ${redact(need(env, 'COMMAND'))}`);
    const { exitCode, timedOut, aborted, stoppedFor } = await whileCurrent(
      deps,
      env,
      status,
      outer,
      (signal) =>
        deps.runner.run({
          signal,
          command: need(env, 'COMMAND'),
          cwd: need(env, 'BUNDLE'),
          env: scriptEnvironment(environment, HostedSchema.parse(JSON.parse(need(env, 'HOSTED')))),
          timeoutMs,
          onLine: (line, stream) => log.line(redact(line), stream === 'stderr' ? 'WARNING' : 'INFO'),
        }),
    );
    if (aborted) throw superseded(env);
    if (stoppedFor)
      throw new ApplicationScriptFailed(applicationName, script, `it was stopped: ${stoppedFor}`);
    if (timedOut)
      throw new ApplicationScriptFailed(
        applicationName,
        script,
        `it did not finish within ${Math.round(timeoutMs / 1000)} s`,
      );
    if (exitCode !== 0)
      throw new ApplicationScriptFailed(applicationName, script, `it exited with code ${exitCode}`);
    log.line(`${script} finished`);
  } catch (error) {
    log.line((error as Error).message, 'ERROR');
    throw error;
  } finally {
    await log.flush();
  }
};
