import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { config } from '../../config.ts';
import type { Workflow, WorkflowStarter } from '../../core/ports.ts';

const sfn = new SFNClient({});

/** Each workflow's state machine, from configuration. */
export const stateMachineArnOf = (workflow: Workflow): string => {
  switch (workflow) {
    case 'publish-connector':
      return config.publishStateMachineArn;
    case 'deploy':
      return config.deployStateMachineArn;
    case 'undeploy':
      return config.undeployStateMachineArn;
  }
};

/**
 * Starts Standard executions by name. Names are derived from what the execution is for (a
 * check id, later a deployment id and version), so a retried start with the same input finds
 * the running execution instead of starting a second one.
 */
export const sfnWorkflowStarter = (stateMachineArn: (workflow: Workflow) => string): WorkflowStarter => ({
  async start(workflow, name, input) {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn(workflow),
        name,
        input: JSON.stringify(input),
      }),
    );
  },
});
