import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsClientDefaults, config } from '../../config.ts';
import type { ExecutionState, Workflow, WorkflowStarter, Workflows } from '../../core/shared/workflows.ts';

const sfn = new SFNClient(awsClientDefaults());

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

/** An execution's ARN from its state machine's and its name, as Step Functions forms it. */
export const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const isMissing = (error: unknown) => (error as Error).name === 'ExecutionDoesNotExist';

/** Starting, stopping and describing executions by name. */
export const sfnWorkflows = (stateMachineArn: (workflow: Workflow) => string): Workflows => ({
  ...sfnWorkflowStarter(stateMachineArn),
  async stop(workflow, name, cause) {
    await sfn
      .send(
        new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn(workflow), name), cause }),
      )
      .catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
  },
  async state(workflow, name): Promise<ExecutionState> {
    try {
      const out = await sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn(workflow), name) }),
      );
      return (out.status ?? 'MISSING') as ExecutionState;
    } catch (error) {
      if (isMissing(error)) return 'MISSING';
      throw error;
    }
  },
});
