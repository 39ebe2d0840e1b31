import type { TrailStep } from '../api/types.ts';

/** The deploy trail's steps and their progress, as both dialects report them. */
export const TRAIL: readonly { step: string; progress: number }[] = [
  { step: 'initializing', progress: 5 },
  { step: 'downloading', progress: 10 },
  { step: 'unzipping', progress: 20 },
  { step: 'processing', progress: 30 },
  { step: 'deploying', progress: 60 },
  { step: 'finalizing', progress: 90 },
  { step: 'complete', progress: 100 },
];

export type StepState = 'done' | 'current' | 'failed' | 'pending' | 'skipped';

export interface TimelineStep {
  step: string;
  state: StepState;
  timestamp?: string;
}

export interface Timeline {
  steps: TimelineStep[];
  progress: number;
}

/**
 * The timeline of a deploy from the steps it reached (`reached`, oldest first) and its status.
 * A step it passed without reaching (a rollback hosts a kept build: no download, no build) is
 * `skipped`; the last step reached is `current` while it runs and `failed` when it failed.
 */
export const timelineOf = (status: string, reached: readonly TrailStep[]): Timeline => {
  const at = new Map(reached.map((s) => [s.step, s.timestamp]));
  const last = reached.at(-1);
  const lastIndex = last ? TRAIL.findIndex((t) => t.step === last.step) : -1;
  const failed = status === 'Failed' || status === 'failed';
  const running = status === 'Queued' || status === 'Deploying';
  const steps = TRAIL.map(({ step }, index): TimelineStep => {
    const timestamp = at.get(step);
    const when = timestamp ? { timestamp } : {};
    if (index === lastIndex && failed) return { step, state: 'failed', ...when };
    if (index === lastIndex && running && step !== 'complete') return { step, state: 'current', ...when };
    if (timestamp) return { step, state: 'done', ...when };
    return { step, state: index < lastIndex ? 'skipped' : 'pending' };
  });
  if (status === 'Deployed' && lastIndex < 0)
    return { steps: steps.map((s) => ({ ...s, state: 'done' })), progress: 100 };
  return { steps, progress: last?.progress ?? 0 };
};
