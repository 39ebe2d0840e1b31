/**
 * Regenerates the CLI's typed API client (`cli/api/schema.d.ts`) from the OpenAPI document.
 *
 *   npm run cli:client                      # from this checkout's routes and schemas, no server needed
 *   npm run cli:client -- --url <server>    # from a running server's /openapi.json
 *
 * Run it after changing a route or a request schema, and commit the result: a test compares
 * the committed file with what the live document generates.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { clientTypes, SCHEMA_FILE } from '../cli/api/generate.ts';
import { openApiDocument } from '../functions/http/openapi.ts';

const { values } = parseArgs({ options: { url: { type: 'string' } } });

const document = values.url
  ? await (await fetch(new URL('/openapi.json', values.url))).json()
  : // Through JSON, as the server sends it, so both sources generate the same text.
    JSON.parse(JSON.stringify(openApiDocument()));

writeFileSync(SCHEMA_FILE, await clientTypes(document));
process.stderr.write(`Wrote ${SCHEMA_FILE}\n`);
