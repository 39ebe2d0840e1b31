/**
 * The reaper's composition root: what finishes an operation (records, trail, bus, logs, and
 * hosting to stop what it started), and Step Functions to ask about and stop executions of
 * deploy and undeploy. It starts no execution and neither seals nor opens secured values.
 */

import { dynamoDeploymentLogRepository } from '../adapters/dynamodb/deployment-logs.ts';
import {
  notInThisFunction,
  operationStateMachineArnOf,
  sfnState,
  sfnStop,
} from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import type { ReaperDeps } from '../core/deployments/reaper.ts';
import { noCipher } from './cipher-refusals.ts';
import { configuredHosting } from './hosting.ts';
import { recordDeps } from './record.ts';
import { tableNameFromConfig } from './system.ts';

export const reaperDeps: ReaperDeps = {
  ...recordDeps,
  logs: dynamoDeploymentLogRepository(tableNameFromConfig),
  hosting: configuredHosting,
  // Failing an operation never touches its secured configuration: no key, no KMS client.
  cipher: noCipher,
  workflows: {
    start: notInThisFunction('start'),
    stop: sfnStop(operationStateMachineArnOf),
    state: sfnState(operationStateMachineArnOf),
  },
  get settings() {
    return { graceMs: config.reaperGraceSeconds * 1000 };
  },
};
