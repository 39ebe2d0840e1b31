/**
 * A connector's integration type as a schema, in a module of its own: the deployments' queries
 * filter by it, and importing it from `schemas.ts` would bundle every connector schema with them.
 */
import * as z from 'zod';
import { INTEGRATION_TYPES } from './model.ts';

export const IntegrationTypeSchema = z.enum(INTEGRATION_TYPES);
