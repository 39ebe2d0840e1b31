import type { DeploymentExecution } from '../core/deployments/model.ts';
import { prepareDeploy } from '../core/deployments/workflow/prepare.ts';
import type { ArtifactContents } from '../core/uploads/artifacts.ts';
import { workflowTask } from '../tasks/workflow-task.ts';
import { prepareDeps } from '../wiring/prepare.ts';

/** `statemachine/deploy.asl.json` Prepare: parse connect.yaml, check the configuration, plan the builds. */
export interface DeploymentPrepareEvent {
  step?: 'prepare';
  execution: DeploymentExecution;
  artifact: ArtifactContents;
}

export const { step: prepareStep, handler } = workflowTask<DeploymentPrepareEvent>('prepare step', (event) =>
  prepareDeploy(prepareDeps, event.execution, event.artifact),
);
