import type { ApiFunctionName } from '../functions/http/routes.ts';
import type { TableAction } from './constructs/slipway-function.ts';

/**
 * What each API function may send to the table: every DynamoDB command its bundle can issue
 * (reached from its handler, as test/infra/permissions.test.ts lists them), except the writes
 * it bundles and never makes, which that test lists with the reason (KNOWN_GAPS): a shared
 * repository object brings all its methods along. Nothing for a function that reads no table.
 */
export const API_TABLE_ACCESS: Record<ApiFunctionName, readonly TableAction[]> = {
  // Describing the table is the probe.
  health: ['DescribeTable'],
  // A client's record, by id.
  'oauth-token': ['GetItem', 'Query'],
  projects: ['GetItem', 'Query', 'PutItem'],
  // The project, then the upload's record.
  uploads: ['GetItem', 'Query', 'PutItem'],
  // Drafts and versions (transactions of puts and deletes), and the upload a draft consumes.
  connectors: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Creates (puts, the count), claims uploads, takes and releases locks, records why a
  // workflow could not start (a log batch); Powertools' idempotency records.
  deployments: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
  // Deleting a project undeploys its site: the deployment's update and the lock.
  'store-projects': ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  'store-deployments': ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Streams only read: the deployment, its trail and its logs.
  'store-streams': ['GetItem', 'Query'],
  // The project's site, and each request as a log entry of the deployment served there.
  sites: ['GetItem', 'Query', 'BatchWriteItem'],
  openapi: [],
  fallback: [],
};
