import type { TrailStep } from '../api/types.ts';
import { absoluteTime } from '../logic/format.ts';
import { timelineOf } from '../logic/steps.ts';

const STATE_WORDS = {
  done: 'done',
  current: 'in progress',
  failed: 'failed',
  pending: 'not reached',
  skipped: 'skipped',
} as const;

/** The deploy's steps, from initializing to complete, with the progress they stand for. */
export const Timeline = ({ status, steps }: { status: string; steps: readonly TrailStep[] }) => {
  const timeline = timelineOf(status, steps);
  return (
    <section class="panel" aria-labelledby="steps-heading">
      <h2 id="steps-heading">Steps</h2>
      <div class="progress-line">
        <label for="deploy-progress">Progress</label>
        <progress id="deploy-progress" max={100} value={timeline.progress} />
        <span>{timeline.progress}%</span>
      </div>
      <ol class="timeline">
        {timeline.steps.map((step) => (
          <li key={step.step} class={`step step-${step.state}`}>
            <span class="step-name">{step.step}</span>
            <span class="step-state">{STATE_WORDS[step.state]}</span>
            {step.timestamp ? (
              <time dateTime={step.timestamp}>{absoluteTime(step.timestamp).slice(11, 19)}</time>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
};
