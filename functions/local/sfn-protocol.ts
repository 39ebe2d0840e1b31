/** The local Step Functions endpoint's names, ARNs and AWS JSON protocol shapes (errors, summaries, paging). */

import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { HistoryEvent } from './sfn-history.ts';

export const LOCAL_REGION = 'us-east-1';

/** See `waitIfAsked`. */
export const WAIT_HEADER = 'x-slipway-wait-ms';

export const LOCAL_ACCOUNT = '000000000000';

export const stateMachineArn = (name: string) =>
  `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:${name}`;

/** Runs one Task resource (a Lambda ARN, or `arn:aws:states:::lambda:invoke`) with the state's input. */
export type TaskInvoker = (resource: string, input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  name: string;
  definition: StateMachineDefinition;
}

export type Status = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

/** A Task failure a test asked for: the named state throws `error` for executions of one tenant. */
export interface Fault {
  stateName: string;
  tenant: string;
  error: string;
  cause: string;
}

export interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: Status;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  history: HistoryEvent[];
  abort: () => void;
  done: Promise<void>;
}

export class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export const epochSeconds = (ms = Date.now()) => ms / 1000;

export const executionSummary = (e: Execution) => ({
  executionArn: e.executionArn,
  stateMachineArn: e.stateMachineArn,
  name: e.name,
  status: e.status,
  startDate: e.startDate,
  stopDate: e.stopDate,
});

/** Step Functions' `maxResults`/`nextToken` paging; the token is the next offset. */
export const paginate = <T>(items: T[], input: Record<string, unknown>, defaultMax: number) => {
  const start = Number(input.nextToken ?? 0);
  const max = Number(input.maxResults ?? defaultMax) || defaultMax;
  return {
    page: items.slice(start, start + max),
    nextToken: start + max < items.length ? String(start + max) : undefined,
  };
};

/** The interpreter's overrides: each Task's local handler, and every Wait and retry delay when given. */
export const runOverrides = (
  stateNames: string[],
  taskHandlers: Record<string, unknown>,
  delay?: number,
) => ({
  taskResourceLocalHandlers: taskHandlers,
  ...(delay === undefined
    ? {}
    : {
        waitTimeOverrides: Object.fromEntries(stateNames.map((n) => [n, delay])),
        retryIntervalOverrides: Object.fromEntries(stateNames.map((n) => [n, delay])),
      }),
});

/**
 * A local extension for tests (`SlipwayInjectFault`): `{stateMachineArn, stateName, tenant,
 * error, cause}` makes the named Task state (inside a Map too) fail with `error` for executions
 * whose input's `tenant` matches, until `{…, clear: true}`. Scoped by tenant so that tests
 * running beside one another are not touched. Nothing in the service depends on it. Answers the
 * state machine's faults after the request.
 */
export const faultsAfter = (
  current: Fault[],
  input: Record<string, unknown>,
  arn: string,
  tasks: [string, string][],
): Fault[] => {
  const stateName = String(input.stateName);
  if (!tasks.some(([name]) => name === stateName))
    throw new SfnError('InvalidArn', `No Task state '${stateName}' in ${arn}`);
  const tenant = String(input.tenant);
  const others = current.filter((f) => f.stateName !== stateName || f.tenant !== tenant);
  return input.clear === true
    ? others
    : [
        ...others,
        {
          stateName,
          tenant,
          error: String(input.error ?? 'States.TaskFailed'),
          cause: String(input.cause ?? 'Injected fault'),
        },
      ];
};

/** Whether a request is signed with `accessKeyId` (the SigV4 `Credential`'s key id). */
export const signedWith = (authorization: string | undefined, accessKeyId: string): boolean =>
  /Credential=([^/,\s]+)\//.exec(authorization ?? '')?.[1] === accessKeyId;
