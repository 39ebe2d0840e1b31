/** The smallest shared wiring (clock, table name), apart from `shared.ts` so importing it bundles no auth code. */
import { config } from '../config.ts';
import type { Clock } from '../core/shared/clock.ts';

export const systemClock: Clock = { now: () => new Date() };

export const tableNameFromConfig = () => config.tableName;
