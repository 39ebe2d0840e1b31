import middy from '@middy/core';
import { asTaskError, INTERNAL_ERROR } from '../adapters/sfn/task-errors.ts';
import { workflowDeps } from '../adapters/workflow-deps.ts';
import type { DeploymentExecution } from '../core/deployment-model.ts';
import { markDeployed, removeUndeployed } from '../core/deployment-workflow.ts';
import { logger } from '../http/logger.ts';

/** The steps of `statemachine/deploy.asl.json` and `undeploy.asl.json` that run in Lambda. */
export type DeploymentStepEvent =
  | { step: 'deployed'; execution: DeploymentExecution }
  | { step: 'removed'; execution: DeploymentExecution };

export const deploymentStep = async (event: DeploymentStepEvent) => {
  try {
    const done =
      event.step === 'deployed'
        ? await markDeployed(workflowDeps, event.execution)
        : await removeUndeployed(workflowDeps, event.execution);
    return { done };
  } catch (error) {
    const taskError = asTaskError(error);
    if (taskError.name === INTERNAL_ERROR)
      logger.error('deployment step failed', { step: event.step, error: error as Error });
    throw taskError;
  }
};

export const handler = middy<DeploymentStepEvent>({ timeoutEarlyInMillis: 0 }).handler(deploymentStep);
