/**
 * What each route accepts and answers, for the OpenAPI document: the same zod schemas the
 * handlers validate with (handlers spread their entry into `operation(…)`, so the two cannot
 * drift apart), a summary, and the success status. Routes without a body or query need no
 * schema here, only their summary. Each function's group is in a module of its own
 * (`platform-api.ts`, `projects-api.ts`, `uploads-api.ts`, `connectors-api.ts`, …) and this
 * one holds none, so a bundle holds only its own routes' schemas (a schema is a chain of calls
 * a bundler must keep wherever it is imported: every handler imports `schemasOf`).
 */
import type * as z from 'zod';

export interface OperationSpec {
  summary: string;
  /** The success status (errors are described once, for every route). */
  status: number;
  body?: z.ZodType;
  /** `form` for OAuth2's urlencoded body; JSON otherwise. */
  bodyType?: 'form';
  query?: z.ZodType;
  /** The success response's JSON body, where a client depends on its exact shape. */
  response?: z.ZodType;
}

/** The schemas of one of a group's routes, to spread into its `operation(…)`. */
export const schemasOf = <G extends Record<string, OperationSpec>, K extends keyof G & string>(
  group: G,
  key: K,
) => {
  const spec: OperationSpec = group[key] as OperationSpec;
  return {
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.query ? { query: spec.query } : {}),
  } as Pick<G[K], Extract<keyof G[K], 'body' | 'query'>>;
};
