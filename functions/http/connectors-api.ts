/** The connector registry's routes: what each accepts and answers (see `api-spec.ts`). */
import {
  ConnectorSearchQuery,
  ConnectorStagedDraft,
  ConnectorStagedQuery,
  ConnectorUpdate,
  VersionQuery,
} from '../core/connectors/schemas.ts';
import type { OperationSpec } from './api-spec.ts';

export const CONNECTORS_API = {
  'POST /connectors/drafts': { summary: 'Create a ConnectorStaged', status: 201, body: ConnectorStagedDraft },
  'GET /connectors/drafts': { summary: 'List ConnectorStaged', status: 200, query: ConnectorStagedQuery },
  'GET /connectors/drafts/{draftRef}': { summary: 'Get a ConnectorStaged by id or key=', status: 200 },
  'POST /connectors/drafts/{draftRef}': {
    summary: 'Update a ConnectorStaged (publish, updatePreviewable, set…)',
    status: 200,
    body: ConnectorUpdate,
  },
  'DELETE /connectors/drafts/{draftRef}': {
    summary: 'Delete a ConnectorStaged',
    status: 200,
    query: VersionQuery,
  },
  'GET /connectors/search': {
    summary: 'Search published connectors',
    status: 200,
    query: ConnectorSearchQuery,
  },
  'GET /connectors/{connectorRef}': { summary: 'Get a published connector by id or key=', status: 200 },
} as const satisfies Record<string, OperationSpec>;
