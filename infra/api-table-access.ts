import type { ApiFunctionName } from '../functions/http/routes.ts';
import type { TableAction } from './constructs/slipway-function.ts';

/**
 * What each API function may send to the table: every DynamoDB command its bundle can issue
 * (reached from its handler, as test/infra/permissions.test.ts lists them), except the writes
 * it bundles and never makes, which that test lists with the reason (KNOWN_GAPS): a shared
 * repository object brings all its methods along. Nothing for a function that reads no table.
 *
 * A function whose handler passes `rateLimits` to `apiHandler` also counts its callers'
 * requests: an UpdateItem of the tenant's rate window and a GetItem of the tenant's own limits
 * (functions/wiring/rate-limits.ts). The streaming function counts nothing.
 */
export const API_TABLE_ACCESS: Record<ApiFunctionName, readonly TableAction[]> = {
  // Describing the table is the probe.
  health: ['DescribeTable'],
  // A client's record, by id; its last day of use; a revoked token's record.
  'oauth-token': ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
  // API clients (listed per tenant) and store tokens: made, read, deleted; an older client
  // joins its tenant's listing when its secret is rotated (npm start's development admin).
  credentials: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Projects; the rate window (an update).
  projects: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
  // The project, then the upload's record; the rate window.
  uploads: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
  // Drafts and versions (transactions of puts and deletes), and the upload a draft consumes.
  connectors: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Creates (puts, the count), claims uploads, takes and releases locks, records why a
  // workflow could not start (a log batch); Powertools' idempotency records.
  deployments: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
  // Deleting a project undeploys its site: the deployment's update and the lock.
  'store-projects': ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  'store-deployments': ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  // Streams only read: the deployment, its trail and its logs.
  'store-streams': ['GetItem', 'Query', 'UpdateItem'],
  // The project's site (or the deployment a service's stable address names), and each request
  // as a log entry of the deployment served there.
  sites: ['GetItem', 'Query', 'BatchWriteItem'],
  // The tenant's trail, read a page at a time; the rate limits every authenticated route counts.
  audit: ['GetItem', 'Query', 'UpdateItem'],
  // Subscriptions (with their quota's item, in transactions) and deliveries: made, read, changed, deleted.
  webhooks: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
  openapi: [],
  fallback: [],
};
