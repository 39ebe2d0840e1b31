/** The publish workflow's composition root: the connect.yaml parser and the connector records (no S3: see `artifact-reader.ts`). */
import { connectSpecificationParser } from '../adapters/connect-spec/parser.ts';
import { dynamoConnectorRepository } from '../adapters/dynamodb/connectors.ts';
import { domainEvents } from './events.ts';
import { systemClock, tableNameFromConfig } from './system.ts';

export const publisherDeps = {
  clock: systemClock,
  connectors: dynamoConnectorRepository(tableNameFromConfig),
  specParser: connectSpecificationParser,
  bus: domainEvents,
};
