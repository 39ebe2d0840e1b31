import * as z from 'zod';
import { Key } from '../shared/schemas.ts';

/** First path segments the API itself uses: a project with such a key could not be addressed. */
export const RESERVED_PROJECT_KEYS = new Set([
  'projects',
  'connectors',
  'oauth',
  'health',
  'stores',
  'sites',
  'assets',
  'apps',
  // The web console's pages (console/), served by the gateway and the distribution.
  'console',
  'openapi.json',
]);

export const ProjectDraft = z.strictObject({
  key: Key.refine((k) => !RESERVED_PROJECT_KEYS.has(k.toLowerCase()), "is reserved by the API's own paths"),
  name: z.string().min(1).max(256).optional(),
  /** Slipway: the project's deployments fail on a failing postDeploy unless they say otherwise. */
  strictScripts: z.boolean().optional(),
});

export type ProjectDraft = z.infer<typeof ProjectDraft>;
