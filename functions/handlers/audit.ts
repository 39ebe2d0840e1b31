import { listAuditEntries } from '../core/audit/audit.ts';
import { schemasOf } from '../http/api-spec.ts';
import { AUDIT_API } from '../http/audit-api.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';

export const handler = apiHandler(
  {
    'GET /audit': operation({
      ...schemasOf(AUDIT_API, 'GET /audit'),
      run: async ({ query, principal }) => {
        const page = await listAuditEntries(pipelineDeps, principal(), query);
        return json(200, {
          limit: query.limit,
          count: page.results.length,
          results: page.results,
          ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
        });
      },
    }),
  },
  [],
  pipelineDeps,
);
