import type { LogEntry } from '../api/types.ts';

/** The most lines the Logs region keeps; older ones scroll away. */
export const MAX_LOG_LINES = 2_000;

/** A log line's text: its `message`, else the details as JSON. */
export const logText = (entry: LogEntry): string => {
  const message = entry.details.message;
  return typeof message === 'string' ? message : JSON.stringify(entry.details);
};

const identity = (entry: LogEntry) =>
  `${entry.timestamp}\u0000${entry.applicationName}\u0000${logText(entry)}`;

/**
 * `known` followed by the lines of `incoming` it does not hold yet, at most `max` (the newest).
 * Following re-reads from the newest timestamp seen (inclusive), so lines written in the same
 * millisecond are never lost; this drops the ones already shown.
 */
export const appendLogs = (
  known: readonly LogEntry[],
  incoming: readonly LogEntry[],
  max: number = MAX_LOG_LINES,
): LogEntry[] => {
  if (incoming.length === 0) return known as LogEntry[];
  const newest = known.at(-1)?.timestamp ?? '';
  const seen = new Set(known.filter((entry) => entry.timestamp >= newest).map(identity));
  const fresh = incoming.filter((entry) => !seen.has(identity(entry)));
  if (fresh.length === 0) return known as LogEntry[];
  const all = [...known, ...fresh];
  return all.length > max ? all.slice(all.length - max) : all;
};

/** Where the next read starts: the newest line's time, or undefined for the API's default window. */
export const followFrom = (known: readonly LogEntry[]): string | undefined => known.at(-1)?.timestamp;
