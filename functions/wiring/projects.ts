/** The projects' repository, on its own so a root that needs only it bundles no credentials or hasher. */
import { dynamoProjectRepository } from '../adapters/dynamodb/projects.ts';
import { tableNameFromConfig } from './system.ts';

export const projectRepository = dynamoProjectRepository(tableNameFromConfig);
