/**
 * The steps of the deploy and undeploy workflows (`statemachine/deploy.asl.json`,
 * `undeploy.asl.json`) that change a deployment. Each step finds the deployment, checks it is
 * still running this execution's operation (a cancel or the reaper may have finished it),
 * writes conditionally on its version (every change bumps it), records its step on the
 * progress trail and publishes status changes. All are idempotent: a retried step finds its
 * work done. The definitions hold order, retries and timeouts; the rules are here.
 */
import { type ArtifactContents, OUTPUT_APPLICATION, readArtifact } from './artifacts.ts';
import type { ConnectorSpecification, SpecificationParser } from './connector-spec.ts';
import { connectorConfigurations } from './connector-spec.ts';
import type {
  ApplicationDeployment,
  ApplicationPlan,
  BuiltApplication,
  Deployment,
  DeploymentConnector,
  DeploymentExecution,
  DeploymentReportEntry,
  DeploymentStatus,
  DeploymentStep,
  ProjectLock,
} from './deployment-model.ts';
import {
  checkApplicationValues,
  checkGlobalValues,
  checkRequiredApplicationKeys,
  IN_PROGRESS,
  statusChanged,
  withReportEntries,
} from './deployment-rules.ts';
import {
  ApplicationHostingFailed,
  ApplicationScriptFailed,
  ConcurrentModification,
  ConnectorSourceMissing,
  DeploymentOperationSuperseded,
} from './errors.ts';
import { newId } from './ids.ts';
import type {
  ApplicationHosting,
  ArtifactStore,
  Clock,
  DeploymentEventRepository,
  DeploymentLogRepository,
  DeploymentRepository,
  DomainEvents,
  HostedApplicationType,
  SecretCipher,
  UploadRepository,
  ZipReader,
} from './ports.ts';
import { copyClaimedUpload } from './uploads.ts';

export interface WorkflowDeps {
  deployments: DeploymentRepository;
  logs: DeploymentLogRepository;
  events: DeploymentEventRepository;
  bus: DomainEvents;
  hosting: ApplicationHosting;
  cipher: SecretCipher;
  clock: Clock;
}

/**
 * What records a deployment's progress and status without touching hosted applications or
 * secrets: the artifact and prepare steps run in functions that bundle neither.
 */
export type RecordDeps = Pick<WorkflowDeps, 'deployments' | 'events' | 'bus' | 'clock'>;

export interface ReadArtifactDeps extends RecordDeps {
  artifacts: ArtifactStore;
  zip: ZipReader;
  uploads: UploadRepository;
}

export interface PrepareDeps extends RecordDeps {
  specParser: SpecificationParser;
}

const ATTEMPTS = 5;
const HOSTED_TYPES: ReadonlySet<string> = new Set<HostedApplicationType>([
  'service',
  'event',
  'job',
  'assets',
]);

export const lockOf = (e: DeploymentExecution): ProjectLock => ({
  projectId: e.projectId,
  deploymentId: e.deploymentId,
  operation: e.operation,
  operationId: e.operationId,
  leaseExpiresAt: '',
});

const isRunning = (d: Deployment | undefined, e: DeploymentExecution, statuses: DeploymentStatus[]) =>
  d !== undefined && d.details.build.id === e.operationId && statuses.includes(d.status);

/** The deployment while it still runs this execution's operation in one of `statuses`. */
const current = async (
  deps: Pick<RecordDeps, 'deployments'>,
  e: DeploymentExecution,
  statuses: DeploymentStatus[],
) => {
  const d = await deps.deployments.get(e.projectId, e.deploymentId);
  if (!isRunning(d, e, statuses) || !d)
    throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  return d;
};

interface Progress {
  step: DeploymentStep;
  progress: number;
  message?: string;
  application?: string;
  errorCode?: string;
}

/** One step on the deployment's trail; a change of status is also published. */
export const record = async (
  deps: Pick<WorkflowDeps, 'events' | 'bus' | 'clock'>,
  d: Pick<Deployment, 'id' | 'tenant' | 'projectKey' | 'key' | 'version'>,
  e: DeploymentExecution,
  status: DeploymentStatus | 'Removed',
  progress: Progress,
  changed: boolean,
) => {
  const at = deps.clock.now().toISOString();
  await deps.events.append({
    deploymentId: e.deploymentId,
    operationId: e.operationId,
    operation: e.operation,
    status,
    at,
    ...progress,
  });
  if (changed) await deps.bus.publish(statusChanged(d, e.operationId, status, at));
};

/**
 * Writes `change(d)` (one version up) while the deployment still runs this operation in one of
 * `statuses`, starting over when another write lands first. Returns the written deployment,
 * or undefined when the operation is no longer current (a cancel or the reaper finished it).
 */
const transition = async (
  deps: RecordDeps,
  e: DeploymentExecution,
  statuses: DeploymentStatus[],
  change: (d: Deployment, now: string) => Partial<Deployment>,
  options: { release?: boolean } = {},
): Promise<Deployment | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const d = await deps.deployments.get(e.projectId, e.deploymentId);
    if (!d || !isRunning(d, e, statuses)) return undefined;
    const now = deps.clock.now().toISOString();
    const next: Deployment = { ...d, ...change(d, now), version: d.version + 1, lastModifiedAt: now };
    try {
      await deps.deployments.update(next, d.version, options.release ? { release: lockOf(e) } : undefined);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};

/** Step 1 (initializing): Queued → Deploying. A retry finds it Deploying already. */
export const markDeploying = async (deps: WorkflowDeps, e: DeploymentExecution): Promise<void> => {
  const next = await transition(deps, e, ['Queued'], () => ({ status: 'Deploying' }));
  if (next) return record(deps, next, e, 'Deploying', { step: 'initializing', progress: 5 }, true);
  await current(deps, e, ['Deploying']);
};

/** What the build, host and script steps need about each application. */
export interface DeployPlan {
  applications: ApplicationPlan[];
  /** The zip the builds extract their folders from. */
  objectKey: string;
}

const planOf = (spec: ConnectorSpecification, root: string, d: Deployment): ApplicationPlan[] =>
  spec.applications.map((app) => {
    if (!HOSTED_TYPES.has(app.applicationType))
      throw new ApplicationHostingFailed(
        app.name,
        `applicationType '${app.applicationType}' cannot be hosted by Slipway (service, event, job and assets can)`,
      );
    const schedule =
      d.applications.find((a) => a.applicationName === app.name)?.scheduleOverride ??
      app.schedule ??
      undefined;
    if (app.applicationType === 'job' && !schedule)
      throw new ApplicationHostingFailed(
        app.name,
        'a job needs a schedule (properties.schedule in connect.yaml)',
      );
    return {
      applicationName: app.name,
      applicationType: app.applicationType,
      folder: `${root}${app.name}/`,
      ...(app.endpoint ? { endpoint: app.endpoint } : {}),
      ...(schedule && app.applicationType === 'job' ? { schedule } : {}),
      ...(app.healthCheckPath ? { healthCheckPath: app.healthCheckPath } : {}),
      scripts: app.scripts,
    };
  });

/**
 * The deployment's applications checked against what connect.yaml declares: a deployment of
 * an upload learns only now what its artifact declares, so its values are checked here (a
 * connector's were checked when it was created, and pass again).
 */
const checkedAgainst = (d: Deployment, spec: ConnectorSpecification) => {
  const connector: DeploymentConnector = { ...d.connector, configurations: connectorConfigurations(spec) };
  if (spec.globalConfiguration) connector.globalConfiguration = spec.globalConfiguration;
  checkApplicationValues(
    connector,
    d.applications.map((a) => ({
      applicationName: a.applicationName,
      standardConfiguration: a.standardConfiguration,
      securedConfiguration: a.securedConfiguration.map((s) => ({ key: s.key, value: 'sealed' })),
    })),
  );
  const applications = connector.configurations.map(
    (c): ApplicationDeployment =>
      d.applications.find((a) => a.applicationName === c.applicationName) ?? {
        id: newId(),
        applicationName: c.applicationName,
        standardConfiguration: [],
        securedConfiguration: [],
      },
  );
  checkRequiredApplicationKeys({ connector, applications });
  // Stored values are checked as if given now: unknown keys first, then what is required.
  checkGlobalValues(
    connector.globalConfiguration,
    {
      standardConfiguration: d.globalConfiguration?.standardConfiguration ?? [],
      securedConfiguration: (d.globalConfiguration?.securedConfiguration ?? []).map((s) => ({
        key: s.key,
        value: 'sealed',
      })),
    },
    { standard: [], securedKeys: [] },
  );
  return { connector, applications };
};

/**
 * Steps 2–3 (downloading, unzipping), in the artifact-reader function: fetch the artifact
 * (first copying a claimed upload, checked against its limits), check the zip, read connect.yaml
 * (or, for an output/ bundle, write one). The text goes on to `prepareDeploy`.
 */
export const readDeployArtifact = async (
  deps: ReadArtifactDeps,
  e: DeploymentExecution,
): Promise<ArtifactContents> => {
  const d = await current(deps, e, ['Deploying']);
  await record(deps, d, e, 'Deploying', { step: 'downloading', progress: 10 }, false);
  // A deployment of an upload gets its own copy on its first run (the API only claimed it).
  const { source } = d.connector;
  if (source.type === 'artifact' && !(await deps.artifacts.describe(d.connector.objectKey)))
    await copyClaimedUpload(deps, source.uploadId, d.connector.objectKey);
  // A bundle without connect.yaml gets one written for it, declaring what the deployment gives its app.
  const output = d.applications.find((a) => a.applicationName === OUTPUT_APPLICATION);
  const contents = await readArtifact(deps, d.connector.objectKey, {
    onDownloaded: () => record(deps, d, e, 'Deploying', { step: 'unzipping', progress: 20 }, false),
    acceptOutputBundle: true,
    configurationKeys: {
      standard: (output?.standardConfiguration ?? []).map((c) => c.key),
      secured: (output?.securedConfiguration ?? []).map((c) => c.key),
    },
  });
  if (!contents) throw new ConnectorSourceMissing('the deployment artifact is gone from storage');
  return contents;
};

/**
 * Step 4 (processing): parse connect.yaml and check the configuration against it. A
 * deployment of an upload records what its artifact declares. Returns the plan the build and
 * host steps follow.
 */
export const prepareDeploy = async (
  deps: PrepareDeps,
  e: DeploymentExecution,
  contents: ArtifactContents,
): Promise<DeployPlan> => {
  const d = await current(deps, e, ['Deploying']);
  await record(deps, d, e, 'Deploying', { step: 'processing', progress: 30 }, false);
  const parsed = await deps.specParser.parse(contents.connectYaml);
  const checked = checkedAgainst(d, parsed);
  const applications = planOf(parsed, contents.manifest.root, d);
  if (d.connector.source.type === 'artifact' && d.connector.configurations.length === 0) {
    const written = await transition(deps, e, ['Deploying'], () => checked);
    if (!written) throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  }
  return { applications, objectKey: d.connector.objectKey };
};

/**
 * A script the workflow runs (postDeploy, preUndeploy) with what it is given besides
 * configuration. `serviceUrl` and `topic` are empty strings when they do not apply: the
 * state machine's paths need every field present.
 */
export interface ScriptJob {
  applicationName: string;
  script: 'postDeploy' | 'preUndeploy';
  command: string;
  bundle: string;
  /**
   * What the application is reachable as, in the script's environment (`scriptEnvironment`). An
   * object rather than two strings that may be empty: the state machine passes it to CodeBuild
   * as one JSON variable (`HOSTED`), and never an empty value (see `functions/local/codebuild-local.ts`).
   */
  hosted: { serviceUrl?: string; topic?: string };
}

export interface HostedResult {
  applicationName: string;
  url?: string;
  topic?: string;
  schedule?: string;
}

/** Configuration as environment variables: global first, the application's own override it. */
export const configurationEnvironment = async (
  deps: Pick<WorkflowDeps, 'cipher'>,
  d: Deployment,
  applicationName: string,
): Promise<{ environment: Record<string, string>; secretValues: string[] }> => {
  const app = d.applications.find((a) => a.applicationName === applicationName);
  const secured = [
    ...(d.globalConfiguration?.securedConfiguration ?? []),
    ...(app?.securedConfiguration ?? []),
  ];
  const plain = secured.length
    ? await deps.cipher.decrypt(
        secured.map((s) => s.ciphertext),
        { projectId: d.projectId, deploymentId: d.id },
      )
    : [];
  const environment: Record<string, string> = {};
  // Declared defaults first (connect.yaml's `default`), then given values over them.
  const declared = d.connector.configurations.find((c) => c.applicationName === applicationName);
  for (const k of [
    ...(d.connector.globalConfiguration?.standardConfiguration ?? []),
    ...(declared?.standardConfiguration ?? []),
  ])
    if (k.default !== undefined) environment[k.key] = k.default;
  for (const v of d.globalConfiguration?.standardConfiguration ?? []) environment[v.key] = v.value;
  for (const v of app?.standardConfiguration ?? []) environment[v.key] = v.value;
  secured.forEach((s, i) => {
    environment[s.key] = plain[i] ?? '';
  });
  return { environment, secretValues: plain.filter((v) => v.length > 0) };
};

const scriptJobs = (
  builds: BuiltApplication[],
  hosted: HostedResult[],
  script: ScriptJob['script'],
): ScriptJob[] =>
  builds.flatMap((b) => {
    const command = b.scripts[script];
    if (!command) return [];
    const h = hosted.find((x) => x.applicationName === b.applicationName);
    return [
      {
        applicationName: b.applicationName,
        script,
        command,
        bundle: b.bundle,
        hosted: {
          ...(b.applicationType === 'service' && h?.url ? { serviceUrl: h.url } : {}),
          ...(h?.topic ? { topic: h.topic } : {}),
        },
      },
    ];
  });

/**
 * Step 5 (deploying): hosts one built application beside whatever an earlier build still runs
 * (a redeploy has no gap). The workflow hosts them one per invocation, in order; the first
 * records the step.
 */
export const hostApplication = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  b: BuiltApplication,
  index: number,
): Promise<HostedResult> => {
  const d = await current(deps, e, ['Deploying']);
  if (index === 0) await record(deps, d, e, 'Deploying', { step: 'deploying', progress: 60 }, false);
  const { environment, secretValues } = await configurationEnvironment(deps, d, b.applicationName);
  const result = await deps.hosting.host({
    projectId: d.projectId,
    deploymentId: d.id,
    buildId: e.operationId,
    applicationName: b.applicationName,
    applicationType: b.applicationType as HostedApplicationType,
    bundle: b.bundle,
    ...(b.endpoint ? { endpoint: b.endpoint } : {}),
    ...(b.healthCheckPath ? { healthCheckPath: b.healthCheckPath } : {}),
    ...(b.schedule ? { schedule: b.schedule } : {}),
    environment,
    secretValues,
  });
  return { applicationName: b.applicationName, ...result };
};

/**
 * After step 5: what the applications answer as, and the postDeploy scripts to run unless the
 * deployment skips them. A deployment canceled while its applications were being hosted stops
 * what this build started, which must not outlive it.
 */
export const applicationsHosted = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  builds: BuiltApplication[],
  hosted: HostedResult[],
): Promise<{ applications: HostedResult[]; scripts: ScriptJob[] }> => {
  const d = await deps.deployments.get(e.projectId, e.deploymentId);
  if (!d || !isRunning(d, e, ['Deploying'])) {
    await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: e.operationId });
    throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  }
  return { applications: hosted, scripts: d.skipScripts ? [] : scriptJobs(builds, hosted, 'postDeploy') };
};

/** How one script of a Map iteration ended. */
export interface ScriptOutcome {
  applicationName: string;
  failed: boolean;
}

export const POST_DEPLOY_WARNING = "Failed during the execution of 'postDeploy' script";

/**
 * Steps 6–7 (finalizing, complete): Deployed with the hosted applications' url/topic/schedule,
 * the lock released in the same write, then the applications of earlier builds stopped. A
 * failed postDeploy is a Warning (Connect's behaviour), or fails the deployment when it asked
 * for strict scripts.
 */
export const markDeployed = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  input: { builds: BuiltApplication[]; hosted: HostedResult[]; scripts: ScriptOutcome[] },
): Promise<void> => {
  const d = await deps.deployments.get(e.projectId, e.deploymentId);
  // A retry after the write landed (what follows it failed): finish that, nothing else.
  if (d?.status === 'Deployed' && d.hosted?.buildId === e.operationId) return afterDeployed(deps, e, d);
  if (!d || !isRunning(d, e, ['Deploying']))
    throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  await record(deps, d, e, 'Deploying', { step: 'finalizing', progress: 90 }, false);
  const failedScripts = input.scripts.filter((s) => s.failed);
  const [firstFailed] = failedScripts;
  // Strict scripts: the failure goes the way of every other, through the workflow's Catch.
  if (firstFailed && d.strictScripts)
    throw new ApplicationScriptFailed(
      firstFailed.applicationName,
      'postDeploy',
      'it failed and the deployment asks for strict scripts (its output is in the logs)',
    );
  const next = await transition(
    deps,
    e,
    ['Deploying'],
    (cur, now) => ({
      status: 'Deployed',
      hosted: {
        buildId: e.operationId,
        applications: input.builds,
        ...(cur.hosted && cur.hosted.buildId !== e.operationId ? { replaces: cur.hosted.buildId } : {}),
      },
      applications: cur.applications.map((a) => {
        const { url: _, topic: __, schedule: ___, ...rest } = a;
        const h = input.hosted.find((x) => x.applicationName === a.applicationName);
        return {
          ...rest,
          ...(h?.url ? { url: h.url } : {}),
          ...(h?.topic ? { topic: h.topic } : {}),
          ...(h?.schedule ? { schedule: h.schedule } : {}),
        };
      }),
      ...withReportEntries(cur, [
        ...failedScripts.map(
          (s): DeploymentReportEntry => ({
            type: 'Warning',
            title: POST_DEPLOY_WARNING,
            application: s.applicationName,
            createdAt: now,
          }),
        ),
        { type: 'Information', title: 'Deployed', createdAt: now },
      ]),
    }),
    { release: true },
  );
  if (!next) throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  await afterDeployed(deps, e, next);
};

/**
 * What follows the Deployed write: the build it replaced is stopped (exactly that one: a
 * newer operation may already be building beside it), a log line per application, the trail.
 */
const afterDeployed = async (deps: WorkflowDeps, e: DeploymentExecution, d: Deployment) => {
  if (d.hosted?.replaces)
    await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: d.hosted.replaces });
  if (d.site) await serveAtProjectAddress(deps, d);
  await deps.logs.append(
    d.applications.map((a) => ({
      type: 'APPLICATION_TEXT' as const,
      deploymentId: e.deploymentId,
      applicationName: a.applicationName,
      severity: 'INFO' as const,
      timestamp: d.lastModifiedAt,
      details: {
        message: `Build ${e.operationId}: deployed as version ${d.version}${a.url ? ` at ${a.url}` : ''}`,
      },
    })),
  );
  await record(deps, d, e, 'Deployed', { step: 'complete', progress: 100 }, true);
};

/**
 * A site deployment takes over its project's address; the deployment served there before is
 * stopped (one address per project: each deployment replaces the last). The address names
 * what it replaced until then, so a retry after a failed stop stops it again.
 */
const serveAtProjectAddress = async (deps: WorkflowDeps, d: Deployment) => {
  const site = await deps.deployments.getSite(d.projectId);
  const replaces = site?.deploymentId === d.id ? site.replaces : site?.deploymentId;
  await deps.deployments.setSite(d.projectId, { deploymentId: d.id, ...(replaces ? { replaces } : {}) });
  if (replaces) await deps.hosting.stop({ deploymentId: replaces });
};

/** A Task's failure as the state machine's Catch hands it over. */
export interface StepFailure {
  step: DeploymentStep;
  /** The entry's title, when not the step's default. */
  title?: string;
  error: string;
  cause?: string;
  application?: string;
}

const parseJson = (text: string | undefined): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};

/** A variable of the CodeBuild task's environment, from the Build document in its cause. */
const buildVariable = (cause: Record<string, unknown> | undefined, name: string): string | undefined => {
  const build = cause?.Build as
    | { Environment?: { EnvironmentVariables?: { Name?: string; Value?: string }[] } }
    | undefined;
  return build?.Environment?.EnvironmentVariables?.find((v) => v.Name === name)?.Value || undefined;
};

/**
 * What a failure is reported as: the domain error's own message (`Slipway.<code>`), a timeout,
 * a failed build or script (its output is in the logs), or an internal error in fixed words
 * (its details stay in the function's log, not in a tenant's report).
 */
export const describeFailure = (f: StepFailure): { code: string; message: string; application?: string } => {
  const cause = parseJson(f.cause);
  if (f.error.startsWith('Slipway.')) {
    const code = f.error.slice('Slipway.'.length);
    const message = typeof cause?.errorMessage === 'string' ? cause.errorMessage : code;
    // Errors about one application name it in their message (Lambda carries nothing else).
    const application = f.application ?? /application '([^']+)'/.exec(message)?.[1];
    return { code, message, ...(application ? { application } : {}) };
  }
  const application = f.application ?? buildVariable(cause, 'APPLICATION');
  const about = application ? ` of application '${application}'` : '';
  const at = application ? { application } : {};
  if (f.error === 'States.Timeout')
    return { code: 'StepTimedOut', message: `The ${f.step} step${about} did not finish in time.`, ...at };
  if (cause?.Build) {
    const script = buildVariable(cause, 'SCRIPT');
    const job = script ? `The '${script}' script${about}` : `The build${about}`;
    return {
      code: script ? 'ApplicationScriptFailed' : 'ApplicationBuildFailed',
      message: `${job} failed; its output is in the deployment logs.`,
      ...at,
    };
  }
  return { code: 'InternalError', message: `An internal error interrupted the ${f.step} step; try again.` };
};

/** Report entries stay small: a deployment item must fit DynamoDB's 400 KB however it failed. */
const MAX_ENTRY_MESSAGE = 4 * 1024;

const failureEntry = (f: StepFailure, now: string): DeploymentReportEntry => {
  const { code, message: full, application } = describeFailure(f);
  const message = full.length > MAX_ENTRY_MESSAGE ? `${full.slice(0, MAX_ENTRY_MESSAGE)}…` : full;
  return {
    type: 'Error',
    title: f.title ?? `Failed during the ${f.step} step (${code})`,
    message,
    ...(application ? { application } : {}),
    createdAt: now,
  };
};

/**
 * Any failure of either workflow: what a deploy's build started is stopped, and the
 * deployment ends Failed (deploy) or UndeployFailed (undeploy) with an Error entry and its lock
 * released, in one write. An operation already finished (canceled, reaped) is left as it is.
 */
export const failOperation = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
  f: StepFailure,
): Promise<void> => {
  const status = e.operation === 'deploy' ? 'Failed' : 'UndeployFailed';
  const next = await transition(
    deps,
    e,
    [...IN_PROGRESS[e.operation]],
    (cur, now) => ({ status, ...withReportEntries(cur, [failureEntry(f, now)]) }),
    { release: true },
  );
  // What this build started hosting is stopped, after the write (a failing stop is retried
  // with the step, and the deployment is Failed already). Never the build the deployment
  // runs: a retried step that finds it Deployed by this very operation lands here too.
  if (e.operation === 'deploy') {
    const d = next ?? (await deps.deployments.get(e.projectId, e.deploymentId));
    if (d?.hosted?.buildId !== e.operationId)
      await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: e.operationId });
  }
  if (!next) return;
  const { code, message, application } = describeFailure(f);
  await record(
    deps,
    next,
    e,
    status,
    { step: 'failed', progress: 100, message, errorCode: code, ...(application ? { application } : {}) },
    true,
  );
};

/** Undeploy step 1: the preUndeploy scripts of what is hosted, unless the deletion skips them. */
export const startUndeploy = async (
  deps: WorkflowDeps,
  e: DeploymentExecution,
): Promise<{ scripts: ScriptJob[] }> => {
  const d = await current(deps, e, ['Undeploying']);
  await record(deps, d, e, 'Undeploying', { step: 'initializing', progress: 5 }, true);
  if (d.skipScripts || !d.hosted) return { scripts: [] };
  const hosted = d.applications.map((a) => ({
    applicationName: a.applicationName,
    ...(a.url ? { url: a.url } : {}),
    ...(a.topic ? { topic: a.topic } : {}),
  }));
  return { scripts: scriptJobs(d.hosted.applications, hosted, 'preUndeploy') };
};

/** Undeploy's last step: every application and workspace of the deployment removed, then the deployment and its lock. */
export const removeUndeployed = async (deps: WorkflowDeps, e: DeploymentExecution): Promise<void> => {
  const d = await current(deps, e, ['Undeploying']);
  await record(deps, d, e, 'Undeploying', { step: 'finalizing', progress: 90 }, false);
  await deps.hosting.stop({ deploymentId: e.deploymentId });
  for (let attempt = 1; ; attempt++) {
    const cur = await deps.deployments.get(e.projectId, e.deploymentId);
    if (!cur || !isRunning(cur, e, ['Undeploying'])) return;
    try {
      await deps.deployments.remove(cur, cur.version, lockOf(e));
      return record(deps, cur, e, 'Removed', { step: 'complete', progress: 100 }, true);
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};
