/**
 * The connector registry's composition root: uploads (a connector can be built from one),
 * the connector records, and the publish workflow, which it starts and follows but never stops.
 */

import { dynamoConnectorRepository } from '../adapters/dynamodb/connectors.ts';
import {
  notInThisFunction,
  publishStateMachineArnOf,
  sfnStart,
  sfnState,
} from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import type { Workflows } from '../core/shared/workflows.ts';
import { tableNameFromConfig } from './shared.ts';
import { uploadDeps } from './uploads.ts';

const workflows: Workflows = {
  start: sfnStart(publishStateMachineArnOf),
  state: sfnState(publishStateMachineArnOf),
  stop: notInThisFunction('stop'),
};

export const connectorDeps = {
  ...uploadDeps,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  workflows,
  get sourcePolicy() {
    return { allowFileRepositories: config.allowFileRepositories };
  },
};
