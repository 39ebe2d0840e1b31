import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import type { WorkflowStarter } from '../../core/ports.ts';

const sfn = new SFNClient({});

/**
 * Starts Standard executions by name. Names are derived from what the execution is for (a
 * check id, later a deployment id and version), so a retried start with the same input finds
 * the running execution instead of starting a second one.
 */
export const sfnWorkflowStarter = (
  stateMachineArn: (workflow: 'publish-connector') => string,
): WorkflowStarter => ({
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
