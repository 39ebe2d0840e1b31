/** HostApplications, Hosted and MarkDeployed: each application hosted beside the old build, then the switch. */
import { ApplicationScriptFailed } from '../../hosting/errors.ts';
import type { HostedApplicationType } from '../../hosting/ports.ts';
import { ConcurrentModification } from '../../shared/errors.ts';
import { DeploymentOperationSuperseded } from '../errors.ts';
import type { BuiltApplication, Deployment, DeploymentExecution, DeploymentReportEntry } from '../model.ts';
import { revisionOf } from '../revisions.ts';
import { applicationAddress, withReportEntries } from '../rules.ts';
import { ATTEMPTS, current, isRunning, record, transition, type WorkflowDeps } from './record.ts';

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
  origin?: string;
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
        { tenant: d.tenant, projectId: d.projectId, deploymentId: d.id },
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

export const scriptJobs = (
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
  if (index === 0) await record(deps, d, e, 'Deploying', { step: 'deploying', progress: 60 });
  const { environment, secretValues } = await configurationEnvironment(deps, d, b.applicationName);
  const result = await deps.hosting.host({
    tenant: d.tenant,
    projectId: d.projectId,
    deploymentId: d.id,
    buildId: e.operationId,
    applicationName: b.applicationName,
    applicationType: b.applicationType as HostedApplicationType,
    bundle: b.bundle,
    ...(b.endpoint ? { endpoint: b.endpoint } : {}),
    ...(b.healthCheckPath ? { healthCheckPath: b.healthCheckPath } : {}),
    ...(b.healthCheck ? { healthCheck: b.healthCheck } : {}),
    ...(b.schedule ? { schedule: b.schedule } : {}),
    ...(b.applicationType === 'service' ? { address: applicationAddress(d, b.applicationName) } : {}),
    environment,
    secretValues,
  });
  // Hosted beside others (a restore starts them at once): if the operation failed or was
  // canceled meanwhile, its clean-up may have run before this one was up; remove it here.
  const after = await deps.deployments.get(e.projectId, e.deploymentId);
  if (!isRunning(after, e, ['Deploying'])) {
    await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: e.operationId });
    throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  }
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

/**
 * How one script of a Map iteration ended: a failed one is `failed: true` (its Catch's Pass
 * state); a successful one is its job as given, with no `failed` (no state of its own, so one
 * state transition fewer per script).
 */
export interface ScriptOutcome {
  applicationName: string;
  failed?: boolean;
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
  await record(deps, d, e, 'Deploying', { step: 'finalizing', progress: 90 });
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
        ...(cur.restore ? { builtBy: cur.restore.buildId } : {}),
      },
      // Every successful deploy is a revision (rollbacks included); what it restored is done.
      lastRevision: (cur.lastRevision ?? 0) + 1,
      restore: undefined,
      supersededBy: undefined,
      applications: cur.applications.map((a) => {
        const { url: _, topic: __, schedule: ___, origin: ____, ...rest } = a;
        const h = input.hosted.find((x) => x.applicationName === a.applicationName);
        return {
          ...rest,
          ...(h?.url ? { url: h.url } : {}),
          ...(h?.origin ? { origin: h.origin } : {}),
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
  const revision = revisionOf(d);
  if (revision) {
    await deps.revisions.put(revision);
    await deps.revisions.markRetentionDue(d.projectId, d.id);
  }
  // Its files stay: the build is kept for a rollback until retention removes it.
  if (d.hosted?.replaces)
    await deps.hosting.stop({ deploymentId: e.deploymentId, buildId: d.hosted.replaces, keepFiles: true });
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
  await record(deps, d, e, 'Deployed', { step: 'complete', progress: 100 }, { from: 'Deploying' });
};

/**
 * A site deployment takes over its project's address; the deployment served there before is
 * stopped (one address per project: each deployment replaces the last) and marked superseded.
 * Its files stay for a promote until retention removes them. The address names what it
 * replaced until then, so a retry after a failed stop stops it again.
 */
const serveAtProjectAddress = async (deps: WorkflowDeps, d: Deployment) => {
  const site = await deps.deployments.getSite(d.projectId);
  const replaces = site?.deploymentId === d.id ? site.replaces : site?.deploymentId;
  await deps.deployments.setSite(d.projectId, { deploymentId: d.id, ...(replaces ? { replaces } : {}) });
  if (!replaces || replaces === d.id) return;
  await deps.hosting.stop({ deploymentId: replaces, keepFiles: true });
  await markSuperseded(deps, d.projectId, replaces, d.id);
  await deps.revisions.markRetentionDue(d.projectId, replaces);
};

/** The replaced deployment says so: `supersededBy`, and an entry in its report. */
const markSuperseded = async (deps: WorkflowDeps, projectId: string, id: string, by: string) => {
  for (let attempt = 1; ; attempt++) {
    const r = await deps.deployments.get(projectId, id);
    if (r?.status !== 'Deployed' || r.supersededBy === by) return;
    const now = deps.clock.now().toISOString();
    try {
      await deps.deployments.update(
        {
          ...r,
          version: r.version + 1,
          supersededBy: by,
          lastModifiedAt: now,
          ...withReportEntries(r, [
            {
              type: 'Information',
              title: 'Superseded',
              message: `Deployment ${by} serves the project address now; promote this one to serve it again.`,
              createdAt: now,
            },
          ]),
        },
        r.version,
      );
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentModification) || attempt >= ATTEMPTS) throw error;
    }
  }
};
