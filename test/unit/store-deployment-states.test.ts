import { describe, expect, it } from 'vitest';
import type { Deployment, DeploymentEvent } from '../../functions/core/deployments/model.ts';
import {
  statesToSend,
  storeDeploymentStates,
  storeErrorCode,
  streamCursor,
} from '../../functions/core/store/deployment-states.ts';

const AT = '2026-11-24T00:00:00.000Z';

const deployment = (
  status: Deployment['status'],
  entries: Deployment['details']['build']['report']['entries'] = [],
) =>
  ({
    id: 'd-1',
    status,
    details: { build: { id: 'op-1', report: { entries } } },
  }) as unknown as Deployment;

const event = (
  step: DeploymentEvent['step'],
  progress: number,
  extra: Partial<DeploymentEvent> = {},
): DeploymentEvent => ({
  deploymentId: 'd-1',
  operationId: 'op-1',
  operation: 'deploy',
  step,
  progress,
  status: 'Deploying',
  at: AT,
  ...extra,
});

const TRAIL = [
  event('initializing', 5),
  event('downloading', 10),
  event('unzipping', 20),
  event('processing', 30),
];
const FAILURE_MESSAGE = 'The output/ folder holds 1001 files; a bundle may hold at most 1000.';

describe('a deployment as the BigCommerce dialect streams it', () => {
  it('is "queued" with no event, and no id to resume after, before its workflow begins', () => {
    expect(storeDeploymentStates(deployment('Queued'), [])).toEqual([
      { deployment_uuid: 'd-1', deployment_status: 'queued', event: null, error: null },
    ]);
  });

  it('is one state per step, in order, each with its position as id', () => {
    const states = storeDeploymentStates(deployment('Deploying'), TRAIL);

    expect(states.map((s) => [s.id, s.deployment_status, s.event?.step])).toEqual([
      [0, 'in_progress', 'initializing'],
      [1, 'in_progress', 'downloading'],
      [2, 'in_progress', 'unzipping'],
      [3, 'in_progress', 'processing'],
    ]);
  });

  it('is completed only once the trail says so (the address serves it by then), not on the Deployed write', () => {
    const trail = [...TRAIL, event('deploying', 60), event('finalizing', 90)];
    const written = storeDeploymentStates(deployment('Deployed'), trail);
    const recorded = storeDeploymentStates(deployment('Deployed'), [
      ...trail,
      event('complete', 100, { status: 'Deployed' }),
    ]);

    expect(written.at(-1)?.deployment_status).toBe('in_progress');
    expect(recorded.at(-1)).toEqual({
      id: 6,
      deployment_uuid: 'd-1',
      deployment_status: 'completed',
      event: { step: 'complete', progress: 100 },
      error: null,
    });
  });

  it('reads a failure the same from the report (before the trail has it) as from the trail', () => {
    const failed = deployment('Failed', [
      {
        type: 'Error',
        title: 'Failed during the processing step (BundleTooManyFiles)',
        message: FAILURE_MESSAGE,
        createdAt: AT,
      },
    ]);
    const early = storeDeploymentStates(failed, TRAIL);
    const late = storeDeploymentStates(failed, [
      ...TRAIL,
      event('failed', 100, { status: 'Failed', errorCode: 'BundleTooManyFiles', message: FAILURE_MESSAGE }),
    ]);

    expect(early.at(-1)).toEqual({
      id: 4,
      deployment_uuid: 'd-1',
      deployment_status: 'failed',
      event: { step: 'processing', progress: 30 },
      error: { code: 40, message: FAILURE_MESSAGE },
    });
    expect(late).toEqual(early);
  });

  it('says nothing after the outcome, whatever the trail holds later', () => {
    const states = storeDeploymentStates(deployment('Failed'), [
      event('initializing', 5),
      event('failed', 100, { status: 'Failed', errorCode: 'ArtifactNotZip', message: 'not a zip' }),
      event('downloading', 10),
    ]);

    expect(states.map((s) => s.deployment_status)).toEqual(['in_progress', 'failed']);
  });
});

describe("BigCommerce's failure codes", () => {
  it.each([
    ['UploadContentInvalid', 20],
    ['ArtifactTooLarge', 30],
    ['UploadTooLarge', 30],
    ['BundleFileTooLarge', 40],
    ['ApplicationBuildFailed', 40],
    ['ApplicationHostingFailed', 50],
    ['States.Timeout', 50],
    ['StepTimedOut', 50],
    ['Lambda.ServiceException', 50],
    ['InternalError', 10],
    [undefined, 10],
  ])('%s is %i', (code, expected) => {
    expect(storeErrorCode(code)).toBe(expected);
  });
});

describe('what an events stream sends next', () => {
  const state = (id: number | undefined, status: 'queued' | 'in_progress' = 'in_progress') => ({
    ...(id === undefined ? {} : { id }),
    deployment_uuid: 'd',
    deployment_status: status,
    event: null,
    error: null,
  });

  it('starts from the beginning, or after a numeric Last-Event-ID', () => {
    expect(streamCursor(undefined)).toEqual({ sent: -1, spoke: false });
    expect(streamCursor('3')).toEqual({ sent: 3, spoke: false });
    expect(streamCursor('-1')).toEqual({ sent: -1, spoke: false });
    expect(streamCursor('x; drop')).toEqual({ sent: -1, spoke: false });
  });

  it('sends each trail position once, and a state without a position only before anything else', () => {
    const first = statesToSend([state(undefined, 'queued')], streamCursor(undefined));
    expect(first.send).toHaveLength(1);
    const second = statesToSend([state(0), state(1)], first.cursor);
    expect(second.send.map((s) => s.id)).toEqual([0, 1]);
    const third = statesToSend([state(0), state(1), state(2)], second.cursor);
    expect(third.send.map((s) => s.id)).toEqual([2]);
    expect(statesToSend([state(undefined, 'queued')], third.cursor).send).toEqual([]);
  });
});
