import { openApiDocument } from '../http/openapi.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';

/** Built once per warm function: the routes and schemas do not change while it runs. */
const document = openApiDocument();

export const handler = apiHandler({
  'GET /openapi.json': operation({
    run: async () => json(200, document, { 'cache-control': 'public, max-age=300' }),
  }),
});
