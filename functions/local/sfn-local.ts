import './polyfills.ts';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { historyDetails, historyType, taskStates } from './sfn-history.ts';
import {
  type Execution,
  epochSeconds,
  executionSummary,
  type Fault,
  faultsAfter,
  LOCAL_ACCOUNT,
  type LocalStateMachine,
  paginate,
  runOverrides,
  SfnError,
  signedWith,
  stateMachineArn,
  type TaskInvoker,
  WAIT_HEADER,
} from './sfn-protocol.ts';

export interface LocalStepFunctionsOptions {
  stateMachines: LocalStateMachine[];
  invokeTask: TaskInvoker;
  /** Milliseconds to use for every Wait state and retry interval (tests set 0). */
  delayOverrideMs?: number;
  /**
   * The access key id every request must be signed with (the SigV4 `Credential`): any process
   * of the machine can reach the port, and starting or stopping executions acts on deployments.
   */
  accessKeyId: string;
}

/**
 * A Step Functions endpoint for the embedded stack: the AWS JSON 1.0 protocol of the calls
 * Slipway makes, running definitions with `aws-local-stepfunctions`; code reaches it with
 * `@aws-sdk/client-sfn` through `AWS_ENDPOINT_URL_SFN`, as it reaches Step Functions on AWS.
 * Executions live in memory: a restart loses them, as a dead workflow would; the reaper
 * finishes their deployments.
 */
export class LocalStepFunctions {
  private readonly machines = new Map<
    string,
    { name: string; definition: StateMachineDefinition; engine: StateMachine; tasks: [string, string][] }
  >();
  private readonly executions = new Map<string, Execution>();
  /** Injected Task failures (see `SlipwayInjectFault`), by state machine. */
  private readonly faults = new Map<string, Fault[]>();
  /** State machines whose new executions wait (see `SlipwayHoldExecutions`), with how to let them go. */
  private readonly holds = new Map<string, { released: Promise<void>; release: () => void }>();
  private server?: Server;

  constructor(private readonly options: LocalStepFunctionsOptions) {
    for (const { name, definition } of options.stateMachines) {
      // The constructor validates the definition (about half a second): build each engine once.
      const engine = new StateMachine(definition, { validationOptions: { checkArn: false } });
      this.machines.set(stateMachineArn(name), { name, definition, engine, tasks: taskStates(definition) });
    }
  }

  async listen(port = 0): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', () => resolve());
    });
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Aborts running executions and closes the endpoint. */
  async close(): Promise<void> {
    for (const hold of this.holds.values()) hold.release();
    this.holds.clear();
    for (const execution of this.executions.values()) if (execution.status === 'RUNNING') execution.abort();
    await Promise.allSettled([...this.executions.values()].map((e) => e.done));
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }

  /** Resolves when the execution has finished (for tests and shutdown). */
  async waitForExecution(executionArn: string): Promise<void> {
    await this.executions.get(executionArn)?.done;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.startsWith('AWSStepFunctions.') ? target.slice('AWSStepFunctions.'.length) : '';
    if (!signedWith(req.headers.authorization, this.options.accessKeyId)) {
      this.reply(res, 400, {
        __type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid.',
      });
      return;
    }
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      await this.waitIfAsked(operation, input, req.headers[WAIT_HEADER]);
      this.reply(res, 200, this.dispatch(operation, input));
    } catch (error) {
      const sfnError =
        error instanceof SfnError
          ? error
          : new SfnError(
              error instanceof SyntaxError ? 'SerializationException' : 'InternalFailure',
              String(error),
            );
      res.setHeader('x-amzn-errortype', sfnError.type);
      this.reply(res, sfnError.type === 'InternalFailure' ? 500 : 400, {
        __type: `com.amazonaws.swf.service.v2.model#${sfnError.type}`,
        message: sfnError.message,
      });
    }
  }

  /**
   * A local extension for tests and tools: DescribeExecution with `x-slipway-wait-ms` answers
   * once the execution has finished (or the wait is over), so callers await the event instead
   * of polling. AWS ignores the header; nothing in the service depends on it.
   */
  private async waitIfAsked(operation: string, input: Record<string, unknown>, header: unknown) {
    const waitMs = Number(header);
    if (operation !== 'DescribeExecution' || !(waitMs > 0)) return;
    const execution = this.executions.get(String(input.executionArn));
    if (!execution) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      execution.done,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.min(waitMs, 120_000));
      }),
    ]);
    clearTimeout(timer);
  }

  private reply(res: ServerResponse, status: number, body: unknown): void {
    const payload = JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  }

  private dispatch(operation: string, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'StartExecution':
        return this.startExecution(input);
      case 'DescribeExecution':
        return this.describeExecution(this.execution(input.executionArn));
      case 'StopExecution':
        return this.stopExecution(this.execution(input.executionArn), input);
      case 'GetExecutionHistory':
        return this.getExecutionHistory(this.execution(input.executionArn), input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'DescribeStateMachine':
        return this.describeStateMachine(String(input.stateMachineArn));
      case 'SlipwayHoldExecutions':
        return this.holdExecutions(String(input.stateMachineArn), input.hold === true);
      case 'SlipwayInjectFault':
        return this.injectFault(input);
      case 'SlipwayForgetExecution':
        return this.forgetExecution(this.execution(input.executionArn));
      case 'ListStateMachines':
        return {
          stateMachines: [...this.machines.entries()].map(([arn, m]) => ({
            stateMachineArn: arn,
            name: m.name,
            type: 'STANDARD',
            creationDate: 0,
          })),
        };
      default:
        throw new SfnError('UnknownOperationException', `Operation '${operation}' is not supported locally.`);
    }
  }

  private machine(arn: string) {
    const machine = this.machines.get(arn);
    if (!machine) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private execution(arn: unknown): Execution {
    const execution = this.executions.get(String(arn));
    if (!execution) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  private startExecution(input: Record<string, unknown>) {
    const smArn = String(input.stateMachineArn);
    const machine = this.machine(smArn);
    const name = typeof input.name === 'string' ? input.name : randomUUID();
    const rawInput = typeof input.input === 'string' ? input.input : '{}';
    const executionArn = `${smArn.replace(':stateMachine:', ':execution:')}:${name}`;

    // Standard workflows: the same name and input while running returns the same execution.
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === rawInput) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new SfnError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    let parsedInput: unknown;
    try {
      parsedInput = JSON.parse(rawInput);
    } catch {
      throw new SfnError('InvalidExecutionInput', 'Invalid execution input: not JSON');
    }

    const startDate = epochSeconds();
    const tenant = (parsedInput as { tenant?: unknown } | null)?.tenant;
    const taskHandlers = Object.fromEntries(
      machine.tasks.map(([stateName, resource]) => [
        stateName,
        (stateInput: unknown) => {
          const fault = this.faults.get(smArn)?.find((f) => f.stateName === stateName && f.tenant === tenant);
          if (fault) return Promise.reject(Object.assign(new Error(fault.cause), { name: fault.error }));
          return this.options.invokeTask(resource, stateInput);
        },
      ]),
    );
    const overrides = runOverrides(
      Object.keys(machine.definition.States),
      taskHandlers,
      this.options.delayOverrideMs,
    );
    const begin = () =>
      machine.engine.run(parsedInput as never, {
        overrides: overrides as never,
        context: {
          Execution: {
            Id: executionArn,
            Name: name,
            Input: parsedInput as never,
            StartTime: new Date().toISOString(),
          },
        },
      });

    const execution: Execution = {
      executionArn,
      stateMachineArn: smArn,
      name,
      status: 'RUNNING',
      input: rawInput,
      startDate,
      history: [],
      abort: () => undefined,
      done: Promise.resolve(),
    };
    const start = () => {
      const run = begin();
      execution.abort = run.abort;
      return this.follow(execution, run);
    };
    const hold = this.holds.get(smArn);
    execution.done = hold
      ? hold.released.then(() => (execution.status === 'RUNNING' ? start() : undefined))
      : start();
    this.executions.set(executionArn, execution);
    return { executionArn, startDate };
  }

  private async follow(execution: Execution, run: ReturnType<StateMachine['run']>): Promise<void> {
    const collecting = (async () => {
      for await (const event of run.eventLogs) {
        const id = execution.history.length + 1;
        execution.history.push({
          id,
          previousEventId: id - 1,
          timestamp: epochSeconds(event.timestamp),
          type: historyType(event),
          ...historyDetails(event),
        });
      }
    })();
    try {
      const output = await run.result;
      execution.status = 'SUCCEEDED';
      execution.output = JSON.stringify(output);
    } catch (error) {
      if (error instanceof ExecutionAbortedError) {
        execution.status = 'ABORTED';
      } else if (error instanceof ExecutionTimeoutError) {
        execution.status = 'TIMED_OUT';
        execution.error = 'States.Timeout';
      } else {
        const cause = (error as { cause?: { name?: string; message?: string } }).cause;
        execution.status = 'FAILED';
        execution.error = cause?.name ?? (error as Error).name;
        execution.cause = cause?.message ?? (error as Error).message;
      }
    }
    execution.stopDate ??= epochSeconds();
    await collecting.catch(() => undefined);
  }

  private describeExecution(e: Execution) {
    return { ...executionSummary(e), input: e.input, output: e.output, error: e.error, cause: e.cause };
  }

  private stopExecution(e: Execution, input: Record<string, unknown>) {
    if (e.status === 'RUNNING') {
      e.status = 'ABORTED';
      e.error = typeof input.error === 'string' ? input.error : undefined;
      e.cause = typeof input.cause === 'string' ? input.cause : undefined;
      e.stopDate = epochSeconds();
      e.abort();
    }
    return { stopDate: e.stopDate };
  }

  private getExecutionHistory(e: Execution, input: Record<string, unknown>) {
    const events = input.reverseOrder === true ? [...e.history].reverse() : e.history;
    const { page, nextToken } = paginate(events, input, 1000);
    return { events: page, nextToken };
  }

  private listExecutions(input: Record<string, unknown>) {
    const smArn = String(input.stateMachineArn);
    this.machine(smArn);
    const executions = [...this.executions.values()]
      .filter((e) => e.stateMachineArn === smArn && (!input.statusFilter || e.status === input.statusFilter))
      .sort((a, b) => b.startDate - a.startDate);
    const { page, nextToken } = paginate(executions, input, 100);
    return { executions: page.map(executionSummary), nextToken };
  }

  /**
   * A local extension for tests: while held, a state machine's new executions are accepted
   * (RUNNING) but do not begin, as if their first step were slow, until released. Lets a test
   * keep a deployment in progress for as long as it needs, without sleeping.
   */
  private holdExecutions(arn: string, hold: boolean) {
    this.machine(arn);
    const current = this.holds.get(arn);
    if (hold && !current) {
      let release: () => void = () => undefined;
      const released = new Promise<void>((resolve) => {
        release = resolve;
      });
      this.holds.set(arn, { released, release });
    }
    if (!hold && current) {
      this.holds.delete(arn);
      current.release();
    }
    return { held: hold };
  }

  /** The test-only `SlipwayInjectFault` (see `faultsAfter`). */
  private injectFault(input: Record<string, unknown>) {
    const arn = String(input.stateMachineArn);
    const faults = faultsAfter(this.faults.get(arn) ?? [], input, arn, this.machine(arn).tasks);
    this.faults.set(arn, faults);
    return { faults: faults.length };
  }

  /**
   * A local extension for tests: the execution is aborted and forgotten, as every execution is
   * when `npm start` is killed (they live in memory), so the reaper's view of a restart can be
   * tested without one.
   */
  private forgetExecution(e: Execution) {
    if (e.status === 'RUNNING') e.abort();
    e.status = 'ABORTED';
    this.executions.delete(e.executionArn);
    return {};
  }

  private describeStateMachine(arn: string) {
    const machine = this.machine(arn);
    return {
      stateMachineArn: arn,
      name: machine.name,
      status: 'ACTIVE',
      definition: JSON.stringify(machine.definition),
      roleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/slipway-local`,
      type: 'STANDARD',
      creationDate: 0,
    };
  }
}
