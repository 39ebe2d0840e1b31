/**
 * The typed client's types, generated from the server's OpenAPI document by openapi-typescript.
 * `npm run cli:client` writes them to `cli/api/schema.d.ts`; a test regenerates them from the
 * live `/openapi.json` and compares, so the CLI cannot drift from the API it calls.
 */
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/** Where the generated types are committed. */
export const SCHEMA_FILE = fileURLToPath(new URL('./schema.d.ts', import.meta.url));

/** The schema.d.ts text for an OpenAPI document (as `/openapi.json` serves it). */
export const clientTypes = async (document: unknown): Promise<string> => {
  // openapi-typescript validates the document itself; the cast only names what it expects.
  const ast = await openapiTS(structuredClone(document) as OpenAPI3, { silent: true });
  return `${COMMENT_HEADER}${astToString(ast)}`;
};
