import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createProcessRunner, type ProcessSpec } from '../adapters/runtime/process-runner.ts';
import type { DeploymentLog } from '../core/deployments/model.ts';
import { servesBuild } from '../core/deployments/rules.ts';
import { MAX_LOG_LINE } from '../core/hosting/build-rules.ts';
import { bundleHandlers } from './bundle.ts';
import { CODEBUILD_START_BUILD_SYNC, localCodeBuild } from './codebuild-local.ts';
import { consoleAssets } from './console-assets.ts';
import { loadOrCreateKey, loadOrCreateLocalCredentials } from './dev-setup.ts';
import { type DynamoDbLocal, ensureTable, startDynamoDbLocal } from './dynamodb-local.ts';
import { FETCH_SOURCE_PROJECT, fetchSourceProject } from './fetch-source.ts';
import { createGateway, listen } from './gateway.ts';
import { LocalHosting } from './hosting/index.ts';
import { standbyMsFromEnvironment } from './hosting/standby.ts';
import { reportIncident } from './incidents.ts';
import { lambdaRuntime } from './lambda-runtime.ts';
import { ProcessLedger, recordingRunner } from './process-ledger.ts';
import { localRegions } from './regions.ts';
import { toEventBridge } from './s3-events.ts';
import { type S3Local, startS3Local } from './s3-local.ts';
import {
  detectSandboxMode,
  limitsFromEnvironment,
  Sandbox,
  type SandboxLimits,
  type SandboxMode,
} from './sandbox.ts';
import { LocalStepFunctions } from './sfn-local.ts';
import { LOCAL_REGION, stateMachineArn } from './sfn-protocol.ts';
import { lambdaTaskInvoker, loadStateMachines, localFunctionArn } from './state-machines.ts';

export const TABLE_NAME = 'slipway';

export const BUCKET_NAME = 'slipway-artifacts';

export interface StackOptions {
  /** Where DynamoDB and S3 keep their files. */
  dataDir: string;
  /** In-memory DynamoDB (tests); S3 files still go under `dataDir`. */
  inMemory?: boolean;
  /** Gateway port; 0 picks a free one. */
  port: number;
  /** HS256 key for access tokens, base64. */
  jwtKey: string;
  /** Overrides every Wait and retry delay (tests use 0). */
  delayOverrideMs?: number;
  /** How often the reaper runs; 0 turns it off (tests run it themselves). Default 30 s. */
  reaperIntervalMs?: number;
  /** How often the webhook dispatcher runs unasked (it also runs on each fan-out and due time). Default 5 s. */
  webhookIntervalMs?: number;
  /** Time limit of one application's build (default 600 s). */
  buildTimeoutSeconds?: number;
  /** Where builds extract and build applications; default `defaultWorkspaceDir(dataDir)`. */
  workspaceDir?: string;
  /** Origins a browser may call the API from (`SLIPWAY_CORS_ORIGINS`); none by default: CORS off. */
  corsOrigins?: readonly string[];
  /** Sees every response the gateway writes (the tests' secret canary). */
  observeResponses?: (path: string, statusCode: number, body: Buffer) => void;
  /** How tenants' code is contained; by default what the machine allows (see `Sandbox`). */
  sandbox?: SandboxMode;
  /** What tenants' processes may use; `DEFAULT_LIMITS` and the SLIPWAY_LIMIT_* settings by default. */
  limits?: SandboxLimits;
  /** How long a replaced build stays warm for a rollback; SLIPWAY_STANDBY_SECONDS by default. */
  standbyMs?: number;
}

/**
 * Where applications are built and run from unless configured: outside the data folder and
 * any project tree. Node gives a tenant's code the module type of the nearest package.json and
 * the modules of every node_modules above it; under `./.slipway` in a checkout those would be
 * Slipway's own (`"type": "module"`, its dependencies). One folder per data folder, under
 * /var/tmp where it exists (it survives a reboot, so hosted applications can be restored).
 */
export const defaultWorkspaceDir = (dataDir: string): string => {
  const base = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
  const id = createHash('sha256').update(resolve(dataDir)).digest('hex').slice(0, 12);
  return join(base, `slipway-workspaces-${process.getuid?.() ?? 'user'}`, id);
};

/** The folders above `dir` whose package.json or node_modules a hosted app would see. */
const leakingAncestors = (dir: string): string[] => {
  const found: string[] = [];
  for (let at = dirname(resolve(dir)); at !== dirname(at); at = dirname(at))
    for (const name of ['package.json', 'node_modules'])
      if (existsSync(join(at, name))) found.push(join(at, name));
  return found;
};

/** The local CodeBuild projects the deploy and undeploy workflows start. */
export const BUILD_PROJECT = 'slipway-build-application';
export const SCRIPT_PROJECT = 'slipway-run-script';

export interface LocalStack {
  url: string;
  port: number;
  env: Record<string, string>;
  stepFunctions: LocalStepFunctions;
  hosting: LocalHosting;
  /** Where the in-process bus's domain events are archived, one JSON line each. */
  eventsFile: string;
  dynamodb: DynamoDbLocal;
  /** How tenants' code is contained here (`describe()` says what it does not isolate). */
  sandbox: Sandbox;
  stop(): Promise<void>;
}

/**
 * Starts the embedded stack (DynamoDB Local, the S3 server, the Step Functions endpoint) and
 * the local API gateway, and points this process's AWS SDK clients at them through the
 * standard `AWS_ENDPOINT_URL_*` variables. Handlers read nothing else to know where they run.
 */
/** A hosted application's output line, as a deployment log entry. */
const appendApplicationLog = (
  o: { deploymentId: string; applicationName: string; line: string; stream: 'stdout' | 'stderr' },
  into: DeploymentLog[],
) => {
  into.push({
    type: 'APPLICATION_TEXT',
    deploymentId: o.deploymentId,
    applicationName: o.applicationName,
    severity: o.stream === 'stderr' ? 'WARNING' : 'INFO',
    timestamp: new Date().toISOString(),
    details: { message: o.line.length > MAX_LOG_LINE ? `${o.line.slice(0, MAX_LOG_LINE)}…` : o.line },
  });
};

export const startLocalStack = async (options: StackOptions): Promise<LocalStack> => {
  // A bad SLIPWAY_REGIONS is refused before anything starts.
  const regions = localRegions(process.env);
  mkdirSync(join(options.dataDir, 's3'), { recursive: true });
  if (!options.inMemory) mkdirSync(join(options.dataDir, 'dynamodb'), { recursive: true });

  // The handlers run from the bundles Lambda would run, built fresh on every start (about a second).
  const bundleDir = join(options.dataDir, 'build');
  await bundleHandlers(bundleDir);
  const invokeFunction = lambdaRuntime(bundleDir);

  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const credentials = loadOrCreateLocalCredentials(options.dataDir);
    const dynamodb = await startDynamoDbLocal({
      dbPath: options.inMemory ? undefined : join(options.dataDir, 'dynamodb'),
      accessKeyId: credentials.accessKeyId,
      onDown: (detail) => console.warn(`${detail}; restarting it (API requests answer 503 meanwhile).`),
      onUp: (restarts, downForMs) =>
        console.warn(
          `DynamoDB Local is back (restart ${restarts}, down ${(downForMs / 1000).toFixed(1)} s).`,
        ),
    });
    stops.push(() => dynamodb.stop());
    const s3: S3Local = await startS3Local({
      directory: join(options.dataDir, 's3'),
      bucket: BUCKET_NAME,
      credentials,
    });
    stops.push(() => s3.stop());

    // Task resources: Lambda functions run from their bundles; CodeBuild projects run locally.
    // The build jobs are imported once the environment below is set (their SDK clients read it).
    const invokeLambda = lambdaTaskInvoker((name, event) => invokeFunction(name, event));
    // Every process group this run starts for a tenant is written down, so that none outlives
    // it: what a run killed before it could stop them left running is ended first.
    const ledger = new ProcessLedger(join(options.dataDir, 'processes.json'));
    const leftovers = await ledger.endAll();
    if (leftovers.length > 0)
      console.warn(
        `Ended ${leftovers.length} process group(s) an earlier run left: ${leftovers.map((e) => e.what).join('; ')}`,
      );
    stops.push(async () => void (await ledger.endAll()));
    // Tenants' builds, scripts and applications run contained (the data folder is not theirs).
    const workspaceDir = options.workspaceDir ?? defaultWorkspaceDir(options.dataDir);
    const sandbox = new Sandbox(options.sandbox ?? detectSandboxMode(), {
      dataDir: options.dataDir,
      workspaceRoot: workspaceDir,
      limits: options.limits ?? limitsFromEnvironment(),
    });
    sandbox.prepareRoot();
    const spawnSpec = (spec: ProcessSpec) => sandbox.spawnSpec(spec);
    const jobRunner = recordingRunner(createProcessRunner({ spawnSpec }), ledger, {
      memoryMb: sandbox.limits.jobMemoryMb,
      processes: sandbox.limits.processes,
      diskMb: sandbox.limits.diskMb,
      workspaceOf: (cwd) => sandbox.workspaceOf(cwd),
    });
    const jobs = async () => {
      const { buildDeps } = await import('../wiring/builds.ts');
      return { ...(await import('../builds/jobs.ts')), buildDeps: { ...buildDeps, runner: jobRunner } };
    };
    const codeBuild = localCodeBuild({
      [FETCH_SOURCE_PROJECT]: fetchSourceProject({
        bucket: BUCKET_NAME,
        workDir: join(options.dataDir, 'work'),
      }),
      [BUILD_PROJECT]: async (env, signal) => {
        const { buildApplicationJob, buildDeps } = await jobs();
        return buildApplicationJob(buildDeps, env, signal);
      },
      [SCRIPT_PROJECT]: async (env, signal) => {
        const { runScriptJob, buildDeps } = await jobs();
        await runScriptJob(buildDeps, env, signal);
        return undefined;
      },
    });
    const stepFunctions = new LocalStepFunctions({
      stateMachines: loadStateMachines({
        FetchSourceProject: FETCH_SOURCE_PROJECT,
        BuildProject: BUILD_PROJECT,
        ScriptProject: SCRIPT_PROJECT,
        ArtifactReaderFunction: localFunctionArn('artifact-reader'),
        ConnectorPublisherFunction: localFunctionArn('connector-publisher'),
        DeploymentPrepareFunction: localFunctionArn('deployment-prepare'),
        DeploymentStepsFunction: localFunctionArn('deployment-steps'),
      }),
      invokeTask: (resource, input) =>
        resource === CODEBUILD_START_BUILD_SYNC ? codeBuild.run(input) : invokeLambda(resource, input),
      delayOverrideMs: options.delayOverrideMs,
      accessKeyId: credentials.accessKeyId,
    });
    const sfnEndpoint = await stepFunctions.listen();
    stops.push(() => stepFunctions.close());
    // Stops run in reverse: running builds and scripts are stopped before the endpoint closes.
    stops.push(async () => codeBuild.close());

    // Hosted applications: child processes, local topics, a cron scheduler, assets behind the gateway.
    const secretsKey = loadOrCreateKey(options.dataDir, 'secrets.key');
    const leaks = leakingAncestors(workspaceDir);
    if (leaks.length > 0)
      console.warn(
        `Warning: hosted applications are built under ${workspaceDir}, where Node also sees ${leaks.join(', ')}: an app without its own package.json or dependencies would pick those up. Set SLIPWAY_WORKSPACE_DIR to a folder outside any project.`,
      );
    const appLogs: DeploymentLog[] = [];
    const hostingToken = randomBytes(24).toString('base64url');
    const hosting = new LocalHosting({
      dataDir: options.dataDir,
      workspaceRoot: workspaceDir,
      secretsKey,
      token: hostingToken,
      onOutput: (o) => appendApplicationLog(o, appLogs),
      recorder: ledger,
      standbyMs: options.standbyMs ?? standbyMsFromEnvironment(),
      spawnSpec,
      limits: {
        memoryMb: sandbox.limits.applicationMemoryMb,
        processes: sandbox.limits.processes,
        logLinesPerMinute: sandbox.limits.logLinesPerMinute,
      },
      // Each crash, restart or limit crossed is a report entry of the deployment (once the
      // environment below is set: the repository's client reads it on first use).
      onIncident: (request, incident) =>
        void reportIncident(TABLE_NAME, request, incident).catch((error: unknown) =>
          console.warn(
            `Could not record an incident of '${request.applicationName}': ${(error as Error).message}`,
          ),
        ),
    });
    const hostingUrl = await hosting.listen();
    stops.push(() => hosting.close());

    const env: Record<string, string> = {
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodb.endpoint,
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_ENDPOINT_URL_SFN: sfnEndpoint,
      SLIPWAY_TABLE_NAME: TABLE_NAME,
      SLIPWAY_BUCKET_NAME: BUCKET_NAME,
      SLIPWAY_DEPLOY_STATE_MACHINE_ARN: stateMachineArn('slipway-deploy'),
      SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN: stateMachineArn('slipway-undeploy'),
      SLIPWAY_PUBLISH_STATE_MACHINE_ARN: stateMachineArn('slipway-publish-connector'),
      // Connect's `region`: `local` and the regions Connect's clients offer, or SLIPWAY_REGIONS.
      SLIPWAY_REGIONS: regions.join(','),
      // Secured configuration is sealed with this key (there is no KMS locally); it stays in the data folder.
      SLIPWAY_SECRETS_KEY: secretsKey,
      // Builds and scripts run on this machine, in the workspace folder; hosting is the local service.
      SLIPWAY_WORKSPACE_DIR: workspaceDir,
      SLIPWAY_LOCAL_HOSTING_URL: hostingUrl,
      SLIPWAY_LOCAL_HOSTING_TOKEN: hostingToken,
      ...(options.buildTimeoutSeconds
        ? { SLIPWAY_BUILD_TIMEOUT_SECONDS: String(options.buildTimeoutSeconds) }
        : {}),
      // One user on their own machine: connectors may come from repositories on its disk.
      SLIPWAY_ALLOW_FILE_REPOSITORIES: 'true',
      SLIPWAY_JWT_KEY: options.jwtKey,
    };
    Object.assign(process.env, env);
    await ensureTable(dynamodb.endpoint, TABLE_NAME, credentials.accessKeyId);

    // S3 "object created" → the upload-events function, as the EventBridge rule does on AWS.
    s3.server.on('event', (notification) => {
      for (const record of (notification as { Records: Parameters<typeof toEventBridge>[0][] }).Records) {
        const event = toEventBridge(record);
        if (event) void invokeFunction('upload-events', event).catch(() => undefined);
      }
    });

    // The in-process bus (EventBridge's stand-in): every domain event archived as a JSON line.
    const eventsFile = join(options.dataDir, 'events.jsonl');
    const { localEventBus, DOMAIN_EVENT } = await import('../adapters/events/local-bus.ts');
    const archive = (event: unknown) => appendFileSync(eventsFile, `${JSON.stringify(event)}\n`);
    localEventBus().on(DOMAIN_EVENT, archive);
    stops.push(async () => void localEventBus().off(DOMAIN_EVENT, archive));
    // Webhooks: each event fanned out (after the archive has it), and the dispatcher (functions/local/webhooks.ts).
    const { startLocalWebhooks } = await import('./webhooks.ts');
    const intervalMs = options.webhookIntervalMs ?? 5_000;
    stops.push(await startLocalWebhooks({ invoke: invokeFunction, eventsFile, intervalMs }));

    // Hosted applications' output goes to their deployment's logs, a batch every half second.
    const { dynamoDeploymentLogRepository } = await import('../adapters/dynamodb/deployment-logs.ts');
    const logRepository = dynamoDeploymentLogRepository(() => TABLE_NAME);
    const flushLogs = setInterval(() => {
      const batch = appLogs.splice(0);
      if (batch.length > 0) void logRepository.append(batch).catch(() => undefined);
    }, 500);
    flushLogs.unref();
    stops.push(async () => clearInterval(flushLogs));

    // Applications hosted before a restart come back (their deployments stayed Deployed), and
    // only then does the reaper run: what it stops must be known to the hosting service first.
    // Restored applications keep the urls they were recorded with.
    const restoredDeployments = (
      await import('../adapters/dynamodb/deployments.ts')
    ).dynamoDeploymentRepository(() => TABLE_NAME);
    await hosting.restore(async (r) =>
      servesBuild(await restoredDeployments.get(r.projectId, r.deploymentId), r.buildId),
    );
    // The reaper runs once before the gateway takes requests: an operation a killed server left
    // in progress is finished before a new one could take its project's lock. Then on an interval.
    const reaperEvery = options.reaperIntervalMs ?? 30_000;
    const reap = () => invokeFunction('reaper', {}).catch(() => undefined);
    if (reaperEvery > 0) {
      // At start-up no execution of an earlier run exists any more (they lived in its memory):
      // every operation in progress is dead, however young its lock, and is finished at once.
      await invokeFunction('reaper', { graceSeconds: 0 }).catch(() => undefined);
      const reaper = setInterval(() => void reap(), reaperEvery);
      reaper.unref();
      stops.push(async () => clearInterval(reaper));
    }

    const { config } = await import('../config.ts');
    const gateway: Server = createGateway({
      invoke: invokeFunction,
      invokeStream: invokeFunction.invokeStream,
      maxBodyBytes: config.maxBodyBytes,
      ...(options.corsOrigins?.length ? { corsOrigins: options.corsOrigins } : {}),
      hosted: (req, res) => hosting.serveAsset(req, res) || hosting.serveApp(req, res),
      console: consoleAssets(),
      ...(options.observeResponses ? { observe: options.observeResponses } : {}),
    });
    const port = await listen(gateway, options.port);
    hosting.setPublicUrl(`http://127.0.0.1:${port}`);

    stops.push(
      () =>
        new Promise<void>((resolve) => {
          gateway.close(() => resolve());
          gateway.closeAllConnections();
        }),
    );

    return {
      url: `http://127.0.0.1:${port}`,
      port,
      env,
      stepFunctions,
      hosting,
      eventsFile,
      dynamodb,
      sandbox,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
};
