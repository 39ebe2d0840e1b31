/** ReadArtifact and Prepare: the artifact a deploy runs, checked, and each application's plan. */
import { ConnectorSourceMissing } from '../../connectors/errors.ts';
import type { ConnectorSpecification } from '../../connectors/spec.ts';
import { connectorConfigurations } from '../../connectors/spec.ts';
import { ApplicationHostingFailed } from '../../hosting/errors.ts';
import type { HostedApplicationType } from '../../hosting/ports.ts';
import { newId } from '../../shared/ids.ts';
import { type ArtifactContents, OUTPUT_APPLICATION, readArtifact } from '../../uploads/artifacts.ts';
import { copyClaimedUpload } from '../../uploads/uploads.ts';
import { DeploymentOperationSuperseded } from '../errors.ts';
import type {
  ApplicationDeployment,
  ApplicationPlan,
  Deployment,
  DeploymentConnector,
  DeploymentExecution,
} from '../model.ts';
import { checkApplicationValues, checkGlobalValues, checkRequiredApplicationKeys } from '../rules.ts';
import { current, type PrepareDeps, type ReadArtifactDeps, record, transition } from './record.ts';

const HOSTED_TYPES: ReadonlySet<string> = new Set<HostedApplicationType>([
  'service',
  'event',
  'job',
  'assets',
]);

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
      ...(app.healthCheck ? { healthCheck: app.healthCheck } : {}),
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
  // An application without values names nothing to check: one a redeploy carried over that
  // the new connect.yaml no longer declares is dropped below, as `updateConnector` drops it.
  const valued = d.applications.filter(
    (a) => a.standardConfiguration.length + a.securedConfiguration.length > 0 || a.scheduleOverride,
  );
  checkApplicationValues(
    connector,
    valued.map((a) => ({
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
  await record(deps, d, e, 'Deploying', { step: 'downloading', progress: 10 });
  // A deployment of an upload gets its own copy on its first run (the API only claimed it).
  const { source } = d.connector;
  if (source.type === 'artifact' && !(await deps.artifacts.describe(d.connector.objectKey)))
    await copyClaimedUpload(deps, source.uploadId, d.connector.objectKey);
  // A bundle without connect.yaml gets one written for it, declaring what the deployment gives its app.
  const output = d.applications.find((a) => a.applicationName === OUTPUT_APPLICATION);
  const contents = await readArtifact(deps, d.connector.objectKey, {
    onDownloaded: () => record(deps, d, e, 'Deploying', { step: 'unzipping', progress: 20 }),
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
  await record(deps, d, e, 'Deploying', { step: 'processing', progress: 30 });
  const parsed = await deps.specParser.parse(contents.connectYaml);
  const checked = checkedAgainst(d, parsed);
  const applications = planOf(parsed, contents.manifest.root, d);
  if (d.connector.source.type === 'artifact' && d.connector.configurations.length === 0) {
    const written = await transition(deps, e, ['Deploying'], () => checked);
    if (!written) throw new DeploymentOperationSuperseded(e.deploymentId, e.operationId);
  }
  return { applications, objectKey: d.connector.objectKey };
};
