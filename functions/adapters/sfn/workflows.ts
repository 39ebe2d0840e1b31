import {
  DescribeExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { awsClientDefaults, config } from '../../config.ts';
import type { ExecutionState, Workflow, Workflows } from '../../core/shared/workflows.ts';

const sfn = new SFNClient(awsClientDefaults());

/** Which state machine runs a workflow: each function is given a lookup of only those it uses. */
type StateMachineArnOf = (workflow: Workflow) => string;

const notHere = (workflow: Workflow, which: string): never => {
  throw new Error(`No '${workflow}' workflow here: this function knows ${which} only`);
};

/**
 * The deploy and undeploy state machines: what deployments start and the reaper looks at. They
 * never name the publish workflow, so they read (and are given) only these two.
 */
export const operationStateMachineArnOf: StateMachineArnOf = (workflow) => {
  if (workflow === 'deploy') return config.deployStateMachineArn;
  if (workflow === 'undeploy') return config.undeployStateMachineArn;
  return notHere(workflow, 'deploy and undeploy');
};

/** The publish workflow's state machine: all the connectors function starts. */
export const publishStateMachineArnOf: StateMachineArnOf = (workflow) =>
  workflow === 'publish-connector' ? config.publishStateMachineArn : notHere(workflow, 'publish-connector');

/** An execution's ARN from its state machine's and its name, as Step Functions forms it. */
const executionArnOf = (stateMachineArn: string, name: string) =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

const isMissing = (error: unknown) => (error as Error).name === 'ExecutionDoesNotExist';

/**
 * Starts Standard executions by name. Names are derived from what the execution is for (a
 * check id, later a deployment id and version), so a retried start with the same input finds
 * the running execution instead of starting a second one.
 */
export const sfnStart =
  (stateMachineArn: StateMachineArnOf): Workflows['start'] =>
  async (workflow, name, input) => {
    await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn(workflow),
        name,
        input: JSON.stringify(input),
      }),
    );
  };

/** Stops a running execution by name; one that is gone or finished is left as it is. */
export const sfnStop =
  (stateMachineArn: StateMachineArnOf): Workflows['stop'] =>
  async (workflow, name, cause) => {
    await sfn
      .send(
        new StopExecutionCommand({ executionArn: executionArnOf(stateMachineArn(workflow), name), cause }),
      )
      .catch((error: unknown) => {
        if (!isMissing(error)) throw error;
      });
  };

/** An execution's state by name, `MISSING` when there is none. */
export const sfnState =
  (stateMachineArn: StateMachineArnOf): Workflows['state'] =>
  async (workflow, name): Promise<ExecutionState> => {
    try {
      const out = await sfn.send(
        new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn(workflow), name) }),
      );
      return (out.status ?? 'MISSING') as ExecutionState;
    } catch (error) {
      if (isMissing(error)) return 'MISSING';
      throw error;
    }
  };

/**
 * What a function never does with executions: its composition root puts this in the place of
 * `sfnStart`, `sfnStop` or `sfnState`, so its bundle holds no such command and its role is
 * given no such permission. Calling it is a wiring mistake.
 */
export const notInThisFunction =
  (what: 'start' | 'stop' | 'state') =>
  async (workflow: Workflow): Promise<never> => {
    throw new Error(`This function does not ${what} '${workflow}' executions`);
  };
