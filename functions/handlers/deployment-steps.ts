import type { ApplicationPlan, BuiltApplication, DeploymentExecution } from '../core/deployments/model.ts';
import { describeFailure, failOperation, type StepFailure } from '../core/deployments/workflow/failure.ts';
import {
  applicationsHosted,
  type HostedResult,
  hostApplication,
  markDeployed,
  type ScriptOutcome,
} from '../core/deployments/workflow/host.ts';
import { markDeploying } from '../core/deployments/workflow/record.ts';
import { removeUndeployed, startUndeploy } from '../core/deployments/workflow/undeploy.ts';
import { logger } from '../http/logger.ts';
import { workflowTask } from '../tasks/workflow-task.ts';
import { transitionDeps as workflowDeps } from '../wiring/transition.ts';

/**
 * The Lambda steps of `statemachine/deploy.asl.json` and `undeploy.asl.json` that change a
 * deployment's status or its hosted applications (ReadArtifact and Prepare run in
 * `artifact-reader` and `deployment-prepare`).
 */
export type DeploymentStepEvent = { execution: DeploymentExecution } & (
  | { step: 'deploying' | 'undeploying' | 'removed' }
  | { step: 'host'; build: MapBuild; index: number }
  | { step: 'hosted'; builds: MapBuild[]; applications: HostedResult[] }
  | { step: 'deployed'; builds: MapBuild[]; hosted: HostedResult[]; scripts: ScriptOutcome[] }
  | {
      step: 'failed';
      failure: Omit<StepFailure, 'error' | 'cause'> & { error: { Error?: string; Cause?: string } };
    }
);

/** One iteration's output of the BuildApplications Map: its input, and the build's exported BUNDLE. */
interface MapBuild {
  application: ApplicationPlan;
  built: { bundle: string };
}

const builtOne = ({ application, built: { bundle } }: MapBuild): BuiltApplication => ({
  ...application,
  bundle,
});
const built = (builds: MapBuild[]): BuiltApplication[] => builds.map(builtOne);

const run = async (event: DeploymentStepEvent): Promise<unknown> => {
  const { execution } = event;
  switch (event.step) {
    case 'deploying':
      return markDeploying(workflowDeps, execution);
    case 'host':
      return hostApplication(workflowDeps, execution, builtOne(event.build), event.index);
    case 'hosted':
      return applicationsHosted(workflowDeps, execution, built(event.builds), event.applications);
    case 'deployed':
      return markDeployed(workflowDeps, execution, {
        builds: built(event.builds),
        hosted: event.hosted,
        scripts: event.scripts,
      });
    case 'undeploying':
      return startUndeploy(workflowDeps, execution);
    case 'removed':
      return removeUndeployed(workflowDeps, execution);
    case 'failed': {
      const { error, ...rest } = event.failure;
      const failure: StepFailure = {
        ...rest,
        error: error.Error ?? 'States.Unknown',
        ...(error.Cause === undefined ? {} : { cause: error.Cause }),
      };
      // What a tenant's own code caused is in its report; what Slipway caused is an error here.
      if (describeFailure(failure).code === 'InternalError')
        logger.error('deployment workflow step failed', { execution, failure });
      return failOperation(workflowDeps, execution, failure);
    }
  }
};

export const { step: deploymentStep, handler } = workflowTask<DeploymentStepEvent>('deployment step', run);
