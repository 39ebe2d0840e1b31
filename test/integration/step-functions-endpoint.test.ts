import {
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalStepFunctions } from '../../functions/local/sfn-local.ts';
import { stateMachineArn } from '../../functions/local/sfn-protocol.ts';
import { lambdaTaskInvoker } from '../../functions/local/state-machines.ts';

/**
 * The local Step Functions endpoint, driven only through `@aws-sdk/client-sfn`: a tiny
 * definition with a retried Task, a caught Task and a failing branch, whose Lambda ARNs are
 * mapped to local functions by the same invoker the embedded stack uses.
 */
const fn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:slipway-${name}`;

const definition = {
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.mode', StringEquals: 'fail', Next: 'GiveUp' },
        { Variable: '$.mode', StringEquals: 'hold', Next: 'Hold' },
      ],
      Default: 'Flaky',
    },
    Flaky: {
      Type: 'Task',
      Resource: fn('flaky'),
      ResultPath: '$.flaky',
      Retry: [{ ErrorEquals: ['Transient'], MaxAttempts: 2, IntervalSeconds: 1, BackoffRate: 2 }],
      Next: 'Boom',
    },
    Boom: {
      Type: 'Task',
      Resource: fn('boom'),
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Done' }],
      Next: 'Done',
    },
    Hold: { Type: 'Task', Resource: fn('hold'), End: true },
    GiveUp: { Type: 'Fail', Error: 'Refused', Cause: 'asked to fail' },
    Done: { Type: 'Succeed' },
  },
};

const calls: string[] = [];
let releaseHold: () => void = () => undefined;
let flakyFailures = 0;

const invoke = async (name: string, event: unknown) => {
  calls.push(name);
  if (name === 'flaky') {
    if (flakyFailures-- > 0) throw Object.assign(new Error('try again'), { name: 'Transient' });
    return { attempts: calls.filter((c) => c === 'flaky').length };
  }
  if (name === 'boom') throw Object.assign(new Error('it broke'), { name: 'BoomError' });
  if (name === 'hold') return new Promise((resolve) => (releaseHold = () => resolve(event)));
  throw new Error(`unexpected function ${name}`);
};

let local: LocalStepFunctions;
let sfn: SFNClient;
const arn = stateMachineArn('slipway-test');

beforeAll(async () => {
  local = new LocalStepFunctions({
    stateMachines: [{ name: 'slipway-test', definition: definition as never }],
    invokeTask: lambdaTaskInvoker(invoke),
    delayOverrideMs: 0,
    accessKeyId: 'SLWTESTKEY',
  });
  sfn = new SFNClient({
    endpoint: await local.listen(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'SLWTESTKEY', secretAccessKey: 'x' },
  });
});
afterAll(async () => {
  releaseHold();
  await local.close();
});
beforeEach(() => {
  calls.length = 0;
  flakyFailures = 1;
});

const runToEnd = async (input: unknown) => {
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }),
  );
  await local.waitForExecution(executionArn ?? '');
  return sfn.send(new DescribeExecutionCommand({ executionArn }));
};

describe('local Step Functions endpoint', () => {
  it('refuses a request signed with another key id, or not signed at all', async () => {
    const stranger = new SFNClient({
      endpoint: await sfn.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`),
      region: 'us-east-1',
      credentials: { accessKeyId: 'SOMEONEELSE', secretAccessKey: 'x' },
    });
    await expect(
      stranger.send(new DescribeExecutionCommand({ executionArn: `${arn}:x` })),
    ).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    const unsigned = await fetch(
      String(await sfn.config.endpoint?.().then((e) => `${e.protocol}//${e.hostname}:${e.port}`)),
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': 'AWSStepFunctions.ListStateMachines',
        },
        body: '{}',
      },
    );
    expect(unsigned.status).toBe(400);
  });

  it('retries a transient failure, catches a failing task, and succeeds', async () => {
    const execution = await runToEnd({ mode: 'normal' });
    const output = JSON.parse(execution.output ?? '{}');

    expect(execution.status).toBe('SUCCEEDED');
    expect(calls).toEqual(['flaky', 'flaky', 'boom']);
    expect(output.flaky).toEqual({ attempts: 2 });
    expect(output.error.Error).toBe('BoomError');
    expect(JSON.parse(output.error.Cause)).toEqual({ errorType: 'BoomError', errorMessage: 'it broke' });
  });

  it('records the history from ExecutionStarted to ExecutionSucceeded', async () => {
    const execution = await runToEnd({ mode: 'normal' });

    const { events = [] } = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn: execution.executionArn }),
    );
    const types = events.map((e) => e.type);

    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types).toContain('TaskStateEntered');
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
  });

  it('reports a Fail state as FAILED with its error and cause', async () => {
    const execution = await runToEnd({ mode: 'fail' });

    expect(execution).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'asked to fail' });
  });

  it('lists executions of the state machine', async () => {
    const execution = await runToEnd({ mode: 'normal' });

    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));

    expect(executions.map((e) => e.executionArn)).toContain(execution.executionArn);
  });

  it('is idempotent for the same name and input while running, and refuses another input', async () => {
    const input = JSON.stringify({ mode: 'hold' });
    const first = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input }));

    const again = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input }));
    const other = sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, name: 'once', input: '{"mode":"x"}' }),
    );

    expect(again.executionArn).toBe(first.executionArn);
    await expect(other).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    releaseHold();
    await local.waitForExecution(first.executionArn ?? '');
  });

  it('stops a running execution as ABORTED', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify({ mode: 'hold' }) }),
    );

    await sfn.send(new StopExecutionCommand({ executionArn, error: 'Canceled', cause: 'test' }));
    await local.waitForExecution(executionArn ?? '');
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    expect(execution).toMatchObject({ status: 'ABORTED', error: 'Canceled', cause: 'test' });
  });

  it('answers unknown executions and state machines with the AWS error names', async () => {
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${arn.replace(':stateMachine:', ':execution:')}:nope`,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
    await expect(
      sfn.send(new StartExecutionCommand({ stateMachineArn: stateMachineArn('missing'), input: '{}' })),
    ).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });
});

describe("the embedded stack's endpoint", () => {
  it('serves the deploy state machine from statemachine/deploy.asl.json', async () => {
    const client = new SFNClient({});

    const described = await client.send(
      new DescribeStateMachineCommand({ stateMachineArn: process.env.SLIPWAY_DEPLOY_STATE_MACHINE_ARN }),
    );

    expect(described).toMatchObject({ name: 'slipway-deploy', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '{}').StartAt).toEqual(expect.any(String));
  });
});
