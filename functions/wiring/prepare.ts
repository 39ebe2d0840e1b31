/** The prepare step's composition root: the connect.yaml parser, plus what records progress. */

import { connectSpecificationParser } from '../adapters/connect-spec/parser.ts';
import type { PrepareDeps } from '../core/deployments/workflow/record.ts';
import { recordDeps } from './record.ts';

export const prepareDeps: PrepareDeps = { ...recordDeps, specParser: connectSpecificationParser };
