/** The state machines the use cases start, stop and look at (Step Functions; locally the same API). */
export type Workflow = 'publish-connector' | 'deploy' | 'undeploy';

export type ExecutionState = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

/** Starts Step Functions executions; a name already used by a running execution is not started twice. */
export interface WorkflowStarter {
  start(workflow: Workflow, name: string, input: unknown): Promise<void>;
}

/** Starting, and also stopping and looking at, executions by name (cancel and the reaper). */
export interface Workflows extends WorkflowStarter {
  /** Stops a running execution; one that is gone or finished is left as it is. */
  stop(workflow: Workflow, name: string, cause: string): Promise<void>;
  /** `MISSING` when no execution has the name (never started, or lost with a local restart). */
  state(workflow: Workflow, name: string): Promise<ExecutionState>;
}
