import type { SourceCheckExecution, SourceInspection } from '../core/connectors/model.ts';
import { finishCheck, inspectConnectorSource } from '../core/connectors/publishing.ts';
import type { ArtifactContents } from '../core/uploads/artifacts.ts';
import { logger } from '../http/logger.ts';
import { type CaughtError, failureOfCaught } from '../tasks/task-errors.ts';
import { workflowTask } from '../tasks/workflow-task.ts';
import { publisherDeps } from '../wiring/publisher.ts';

/** The steps of `statemachine/publish-connector.asl.json` that run here (ReadSource runs in `artifact-reader`). */
export type PublisherEvent =
  | { step: 'inspect'; execution: SourceCheckExecution; artifact: ArtifactContents }
  | { step: 'record'; execution: SourceCheckExecution; inspection: SourceInspection }
  | { step: 'fail'; execution: SourceCheckExecution; error: CaughtError };

const run = async (event: PublisherEvent) => {
  switch (event.step) {
    case 'inspect':
      return inspectConnectorSource(publisherDeps, event.artifact);
    case 'record':
      await finishCheck(publisherDeps, event.execution, { ok: true, inspection: event.inspection });
      return { recorded: true };
    case 'fail': {
      const failure = failureOfCaught(event.error);
      if (failure.code === 'General') logger.error('publish workflow failed', { caught: event.error });
      await finishCheck(publisherDeps, event.execution, { ok: false, ...failure });
      return { recorded: true };
    }
  }
};

export const { step: publishStep, handler } = workflowTask<PublisherEvent>('publish step', run);
