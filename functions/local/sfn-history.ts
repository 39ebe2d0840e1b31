/** Execution history as Step Functions reports it (GetExecutionHistory), from the local interpreter's event log. */
import type { StateMachine, StateMachineDefinition } from 'aws-local-stepfunctions';

export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** Walks Task states, including those inside Map and Parallel, for their resources. */
export const taskStates = (definition: Pick<StateMachineDefinition, 'States'>): [string, string][] =>
  Object.entries(definition.States).flatMap(([name, state]): [string, string][] => {
    if (state.Type === 'Task') return [[name, state.Resource]];
    if (state.Type === 'Map') {
      const inner = state.ItemProcessor ?? state.Iterator;
      return inner ? taskStates(inner) : [];
    }
    if (state.Type === 'Parallel') return state.Branches.flatMap(taskStates);
    return [];
  });

export const historyType = (event: EventLog): string => {
  if ('state' in event) {
    const kind = event.state.type;
    switch (event.type) {
      case 'StateEntered':
        return `${kind}StateEntered`;
      case 'StateExited':
        return `${kind}StateExited`;
      case 'StateFailed':
        return kind === 'Task' ? 'TaskFailed' : `${kind}StateFailed`;
      case 'StateRetried':
        return 'TaskStateRetried';
      case 'StateCaught':
        return 'TaskStateCaught';
    }
  }
  return event.type === 'ExecutionTimeout' ? 'ExecutionTimedOut' : event.type;
};

export const historyDetails = (event: EventLog): Record<string, unknown> => {
  switch (event.type) {
    case 'ExecutionStarted':
      return { executionStartedEventDetails: { input: JSON.stringify(event.input) } };
    case 'ExecutionSucceeded':
      return { executionSucceededEventDetails: { output: JSON.stringify(event.output) } };
    case 'ExecutionFailed':
      return { executionFailedEventDetails: { error: event.Error, cause: String(event.Cause) } };
    case 'StateEntered':
      return {
        stateEnteredEventDetails: { name: event.state.name, input: JSON.stringify(event.state.input) },
      };
    case 'StateExited':
      return {
        stateExitedEventDetails: { name: event.state.name, output: JSON.stringify(event.state.output) },
      };
    case 'StateFailed':
      return {
        taskFailedEventDetails: { resourceType: 'lambda', error: event.Error, cause: String(event.Cause) },
      };
    default:
      return {};
  }
};
