/**
 * The connector registry's composition root: uploads (a connector can be built from one),
 * the connector records, and the publish workflow.
 */
import { config } from '../config.ts';
import { tableNameFromConfig } from './deps.ts';
import { dynamoConnectorRepository } from './dynamodb/connectors.ts';
import { sfnWorkflowStarter, stateMachineArnOf } from './sfn/workflows.ts';
import { uploadDeps } from './upload-deps.ts';

export const connectorDeps = {
  ...uploadDeps,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  workflows: sfnWorkflowStarter(stateMachineArnOf),
  get sourcePolicy() {
    return { allowFileRepositories: config.allowFileRepositories };
  },
};
