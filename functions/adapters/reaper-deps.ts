/** The reaper's composition root: what finishes an operation, and Step Functions to ask about executions. */
import { config } from '../config.ts';
import type { ReaperDeps } from '../core/reaper.ts';
import { sfnWorkflows, stateMachineArnOf } from './sfn/workflows.ts';
import { transitionDeps } from './transition-deps.ts';

export const reaperDeps: ReaperDeps = {
  ...transitionDeps,
  workflows: sfnWorkflows(stateMachineArnOf),
  get settings() {
    return { graceMs: config.reaperGraceSeconds * 1000 };
  },
};
