/**
 * The connector registry's composition root: uploads (a connector can be built from one),
 * the connector records, and the publish workflow.
 */

import { dynamoConnectorRepository } from '../adapters/dynamodb/connectors.ts';
import { sfnWorkflows, stateMachineArnOf } from '../adapters/sfn/workflows.ts';
import { config } from '../config.ts';
import { tableNameFromConfig } from './shared.ts';
import { uploadDeps } from './uploads.ts';

export const connectorDeps = {
  ...uploadDeps,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  workflows: sfnWorkflows(stateMachineArnOf),
  get sourcePolicy() {
    return { allowFileRepositories: config.allowFileRepositories };
  },
};
