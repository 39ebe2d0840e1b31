import { prepareDeps } from '../adapters/prepare-deps.ts';
import { workflowTask } from '../adapters/sfn/workflow-task.ts';
import type { ArtifactContents } from '../core/artifacts.ts';
import type { DeploymentExecution } from '../core/deployment-model.ts';
import { prepareDeploy } from '../core/deployment-workflow.ts';

/** `statemachine/deploy.asl.json` Prepare: parse connect.yaml, check the configuration, plan the builds. */
export interface DeploymentPrepareEvent {
  step?: 'prepare';
  execution: DeploymentExecution;
  artifact: ArtifactContents;
}

export const { step: prepareStep, handler } = workflowTask<DeploymentPrepareEvent>('prepare step', (event) =>
  prepareDeploy(prepareDeps, event.execution, event.artifact),
);
