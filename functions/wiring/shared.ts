/**
 * The composition root: which adapter implements each port. Kept to what most handlers
 * need; ports with heavy clients (S3) have their own root so other bundles stay small. Chosen by configuration
 * only (endpoints and names come from the environment), so Lambda and `npm start` run
 * the same wiring.
 */
import { scryptHasher } from '../adapters/auth/scrypt-hasher.ts';
import { dynamoCredentialRepository } from '../adapters/dynamodb/credentials.ts';
import { projectRepository } from './projects.ts';
import { systemClock, tableNameFromConfig as tableName } from './system.ts';

export const deps = {
  clock: systemClock,
  projects: projectRepository,
  credentials: dynamoCredentialRepository(tableName),
  hasher: scryptHasher,
};

export { tableNameFromConfig } from './system.ts';
