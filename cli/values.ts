/** Parsing what people type: `--app name.KEY=value`, `--since 10m`. Pure functions, unit-tested. */
import { usageError } from './errors.ts';

/** Connect's ApplicationConfiguration: one application's standard and secured values. */
export interface ApplicationValues {
  applicationName: string;
  standardConfiguration: { key: string; value: string }[];
  securedConfiguration: { key: string; value: string }[];
}

/** commander's collector for a repeatable option. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const ASSIGNMENT = /^([^.=\s]+)\.([^=\s]+)=(.*)$/s;

/**
 * `--app service.GREETING=Hi` and `--secret service.API_TOKEN=s3cret` as Connect's
 * configurations, one entry per application, in the order first named; a key given twice
 * keeps its last value.
 */
export const applicationValues = (standard: string[] = [], secured: string[] = []): ApplicationValues[] => {
  const apps = new Map<string, ApplicationValues>();
  const add = (assignment: string, kind: 'standardConfiguration' | 'securedConfiguration', flag: string) => {
    const match = ASSIGNMENT.exec(assignment);
    if (!match)
      throw usageError(
        `${flag} '${kind === 'securedConfiguration' ? assignment.replace(/=.*/s, '=****') : assignment}' is not <application>.<KEY>=<value>.`,
        `For example: ${flag} service.GREETING=Hello`,
      );
    const [, applicationName = '', key = '', value = ''] = match;
    const app = apps.get(applicationName) ?? {
      applicationName,
      standardConfiguration: [],
      securedConfiguration: [],
    };
    app[kind] = [...app[kind].filter((v) => v.key !== key), { key, value }];
    apps.set(applicationName, app);
  };
  for (const a of standard) add(a, 'standardConfiguration', '--app');
  for (const s of secured) add(s, 'securedConfiguration', '--secret');
  return [...apps.values()];
};

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since 10m` (s, m, h, d) or an ISO 8601 date, as the moment it names. */
export const sinceDate = (text: string, now = new Date()): Date => {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  if (match) return new Date(now.getTime() - Number(match[1]) * (UNITS[match[2] ?? 's'] ?? 1_000));
  const date = new Date(text);
  if (Number.isNaN(date.getTime()))
    throw usageError(
      `--since '${text}' is neither a duration nor a date.`,
      'For example: --since 10m, --since 2h, --since 2026-01-31T12:00:00Z',
    );
  // A moment yet to come would read nothing, and say nothing about why.
  if (date.getTime() > now.getTime())
    throw usageError(
      `--since '${text}' is in the future.`,
      'Give a past moment: --since 10m, or a date before now.',
    );
  return date;
};

/** A positive whole number from the command line (`--to 3`, `--limit 50`). */
export const positiveInteger =
  (flag: string) =>
  (text: string): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 1)
      throw usageError(`${flag} takes a whole number from 1 up, not '${text}'.`);
    return n;
  };

/** Connect's rule for project, deployment and connector keys. */
const KEY = /^[A-Za-z0-9_-]{2,256}$/;

/** A key from the command line, checked before anything is sent. */
export const checkedKey = (flag: string, key: string): string => {
  if (!KEY.test(key)) throw usageError(`${flag} '${key}' is not a key: 2-256 characters of A-Z a-z 0-9 _ -.`);
  return key;
};
