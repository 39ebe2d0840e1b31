/**
 * A deployment as the BigCommerce dialect reports it: a status, the step trail with progress,
 * a numeric error code and (Slipway) the error in words. Pure functions over the deployment
 * and its trail, without schemas, so views and the event stream can use them cheaply.
 */
import type { Deployment, DeploymentEvent, DeploymentStatus } from '../deployments/model.ts';
import { InvalidStoreUuid } from './errors.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isStoreUuid = (value: string | undefined): value is string =>
  value !== undefined && UUID.test(value);

/** A path uuid, checked before anything is read (the documented 400). */
export const assertStoreUuid = (value: string | undefined, parameter: string): string => {
  if (value === undefined || !UUID.test(value)) throw new InvalidStoreUuid(parameter);
  return value.toLowerCase();
};

export type StoreDeploymentStatus = 'queued' | 'in_progress' | 'failed' | 'completed';

const STATUS: Record<DeploymentStatus, StoreDeploymentStatus> = {
  Draft: 'queued',
  Queued: 'queued',
  Deploying: 'in_progress',
  Deployed: 'completed',
  Failed: 'failed',
  // Undeploying is the Connect dialect's delete of a deployment that was deployed.
  Undeploying: 'completed',
  UndeployFailed: 'completed',
};

/**
 * BigCommerce's failure codes: 10 internal error, 20 the bundle could not be retrieved, 30
 * extraction failed, 40 bad build output, 50 a transient deploy failure, 60 deployed but its
 * URL is unknown. Slipway's error codes fall into them as below; anything else is 10.
 */
const CODE_GROUPS: [number, readonly string[]][] = [
  [20, ['UploadNotFound', 'UploadContentInvalid', 'UploadExpired', 'ConnectorSourceMissing']],
  [
    30,
    [
      'UploadTooLarge',
      'ArtifactNotZip',
      'ArtifactUnsafePath',
      'ArtifactSymlink',
      'ArtifactTooLarge',
      'ArtifactCompressionRatio',
      'ArtifactTooManyEntries',
    ],
  ],
  [
    40,
    [
      'BundleTooManyFiles',
      'BundleFileTooLarge',
      'BundleManifestInvalid',
      'ConnectorSpecificationFileNotFound',
      'ConnectorSpecificationFileNotValid',
      'ApplicationBuildFailed',
      'DeploymentUnknownApplicationConfiguration',
      'DeploymentUnknownApplicationConfigurationKey',
      'DeploymentMissingApplicationConfigurationKey',
      'DeploymentMissingGlobalConfigurationKey',
      'DeploymentEmptyRequiredGlobalConfigurationKey',
    ],
  ],
  [50, ['ApplicationHostingFailed', 'ApplicationScriptFailed', 'StepTimedOut', 'States.Timeout', 'Canceled']],
];
const CODES = new Map(CODE_GROUPS.flatMap(([code, names]) => names.map((name) => [name, code] as const)));

export const storeErrorCode = (errorCode: string | undefined): number => {
  if (errorCode === undefined) return 10;
  return CODES.get(errorCode) ?? (errorCode.startsWith('Lambda.') ? 50 : 10);
};

/** One step of the trail as BigCommerce streams it. */
export interface StoreDeploymentState {
  /**
   * The state's position in the trail, the SSE id a client resumes after; none for a state
   * that no trail entry stands for yet (queued before the workflow's first step).
   */
  id?: number;
  deployment_uuid: string;
  deployment_status: StoreDeploymentStatus;
  event: { step: string; progress: number } | null;
  error: { code: number; message: string } | null;
}

/** The trail of the deployment's latest deploy operation (a Connect redeploy starts another). */
export const deployTrail = (trail: DeploymentEvent[]): DeploymentEvent[] => {
  const deploys = trail.filter((e) => e.operation === 'deploy');
  const last = deploys.at(-1)?.operationId;
  return deploys.filter((e) => e.operationId === last);
};

const IN_FLIGHT: ReadonlySet<DeploymentStatus> = new Set(['Queued', 'Deploying']);

const isTerminal = (status: StoreDeploymentStatus) => status === 'completed' || status === 'failed';

/**
 * The states a subscriber is sent, in order: one per step of the trail, each with the status it
 * had then, and when the deployment has ended, a last one with its final status (and, for a
 * failure, the code and the message). With no trail yet, the deployment's state now.
 */
export const storeDeploymentStates = (d: Deployment, trail: DeploymentEvent[]): StoreDeploymentState[] => {
  const latest = deployTrail(trail);
  // Queued again (a promote) before its new operation recorded a step: the old trail is over.
  const requeued =
    IN_FLIGHT.has(d.status) && latest[0] !== undefined && latest[0].operationId !== d.details.build.id;
  const steps = requeued ? [] : latest;
  const base = { deployment_uuid: d.id };
  const states: StoreDeploymentState[] = [];
  let last: StoreDeploymentState['event'] = null;
  for (const [id, e] of steps.entries()) {
    if (e.step === 'failed') {
      states.push({
        id,
        ...base,
        deployment_status: 'failed',
        event: last,
        error: { code: storeErrorCode(e.errorCode), message: e.message ?? 'The deployment failed.' },
      });
      return states;
    }
    last = { step: e.step, progress: e.progress };
    const status: StoreDeploymentStatus =
      e.step === 'complete' && e.status === 'Deployed' ? 'completed' : 'in_progress';
    states.push({ id, ...base, deployment_status: status, event: last, error: null });
  }
  const now = STATUS[d.status];
  const tail = states.at(-1);
  // A deployment that failed without a trail entry saying so (its workflow could not start).
  // A completed one waits for its trail's `complete`: that is written once its address serves it.
  if (now === 'failed' && tail?.deployment_status !== 'failed') {
    states.push({ id: steps.length, ...base, deployment_status: now, event: last, error: failureOf(d) });
  } else if (!tail) {
    states.push({ ...base, deployment_status: now, event: null, error: null });
  }
  return states;
};

/**
 * A failed deployment's error from its report, for when its trail does not say yet (the
 * Failed write lands a moment before the trail's entry) or never will (a workflow that could
 * not start): the same code and message the trail's entry carries, so the two read alike.
 */
const failureOf = (d: Deployment): StoreDeploymentState['error'] => {
  const entry = d.details.build.report.entries.findLast((e) => e.type === 'Error');
  if (!entry) return { code: 10, message: 'The deployment failed.' };
  const code =
    /\(([A-Za-z.]+)\)$/.exec(entry.title)?.[1] ?? (entry.title === 'Canceled' ? 'Canceled' : undefined);
  return { code: storeErrorCode(code), message: entry.message ?? entry.title };
};

/** Whether a stream of these states has said all it will. */
export const endsStream = (state: StoreDeploymentState | undefined): boolean =>
  state !== undefined && isTerminal(state.deployment_status);

/** How far an events stream has got: the last trail position sent, and whether it sent anything. */
export interface StreamCursor {
  sent: number;
  spoke: boolean;
}

/**
 * Where a stream starts: from the beginning, or after the position a reconnecting client
 * names in `Last-Event-ID` (a number; anything else starts from the beginning).
 */
export const streamCursor = (lastEventId: string | undefined): StreamCursor => {
  const resumeFrom = lastEventId !== undefined && /^\d{1,9}$/.test(lastEventId) ? Number(lastEventId) : -1;
  return { sent: resumeFrom, spoke: false };
};

/**
 * The states not sent yet: those past the cursor's position, and a state that no trail entry
 * stands for (queued before the first step) only if nothing was sent before it.
 */
export const statesToSend = (
  states: StoreDeploymentState[],
  cursor: StreamCursor,
): { send: StoreDeploymentState[]; cursor: StreamCursor } => {
  const send: StoreDeploymentState[] = [];
  let { sent, spoke } = cursor;
  for (const state of states) {
    if (state.id === undefined ? spoke : state.id <= sent) continue;
    send.push(state);
    if (state.id !== undefined) sent = state.id;
    spoke = true;
  }
  return { send, cursor: { sent, spoke } };
};

/** The project's address: where its site deployments are served, one replacing the last. */
export const siteUrl = (baseUrl: string, projectId: string): string => `${baseUrl}/sites/${projectId}/`;
