/** The prepare step's composition root: the connect.yaml parser, plus what records progress. */
import type { PrepareDeps } from '../core/deployment-workflow.ts';
import { connectSpecificationParser } from './connect-spec/parser.ts';
import { recordDeps } from './record-deps.ts';

export const prepareDeps: PrepareDeps = { ...recordDeps, specParser: connectSpecificationParser };
