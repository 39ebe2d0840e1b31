/** The reaper's composition root: what finishes an operation, and Step Functions to ask about executions. */

import { sfnWorkflows, stateMachineArnOf } from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import type { ReaperDeps } from '../core/deployments/reaper.ts';
import { transitionDeps } from './transition.ts';

export const reaperDeps: ReaperDeps = {
  ...transitionDeps,
  workflows: sfnWorkflows(stateMachineArnOf),
  get settings() {
    return { graceMs: config.reaperGraceSeconds * 1000 };
  },
};
