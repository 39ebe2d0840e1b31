/**
 * What a folder's `connect.yaml` declares, read before packing: a typo in `--app` or
 * `--secret` would otherwise fail the deployment only after the upload, and the server keeps
 * the bad value, failing every later deploy of that key too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { usageError } from './errors.ts';
import type { ApplicationValues } from './values.ts';

/** Each application's declared standard and secured keys. */
export type Declared = Map<string, { standard: Set<string>; secured: Set<string> }>;

const list = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value)
    ? value.filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null)
    : [];

const keysOf = (entries: unknown) =>
  new Set(list(entries).flatMap((e) => (typeof e.key === 'string' ? [e.key] : [])));

/** `deployAs[].name` with `configuration.standardConfiguration[].key` and `securedConfiguration[].key`. */
export const declaredConfiguration = (yamlText: string): Declared => {
  let document: unknown;
  try {
    document = parse(yamlText);
  } catch (error) {
    throw usageError(`connect.yaml is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const declared: Declared = new Map();
  const deployAs =
    typeof document === 'object' && document !== null ? (document as Record<string, unknown>).deployAs : [];
  for (const app of list(deployAs)) {
    if (typeof app.name !== 'string') continue;
    const configuration = (typeof app.configuration === 'object' && app.configuration) || {};
    const { standardConfiguration, securedConfiguration } = configuration as Record<string, unknown>;
    declared.set(app.name, {
      standard: keysOf(standardConfiguration),
      secured: keysOf(securedConfiguration),
    });
  }
  return declared;
};

const named = (names: Iterable<string>) => [...names].join(', ') || 'none';

/** Refuses (exit 2) a value for an application or key the manifest does not declare. */
export const checkValues = (values: ApplicationValues[], declared: Declared): void => {
  for (const { applicationName, standardConfiguration, securedConfiguration } of values) {
    const app = declared.get(applicationName);
    if (!app)
      throw usageError(
        `connect.yaml declares no application '${applicationName}' (it declares: ${named(declared.keys())}).`,
        'Name one of them before the dot: --app <application>.<KEY>=<value>.',
      );
    const check = (given: { key: string }[], keys: Set<string>, flag: string) => {
      for (const { key } of given)
        if (!keys.has(key))
          throw usageError(
            `${flag}: '${applicationName}' declares no ${flag === '--app' ? 'standard' : 'secured'} configuration key '${key}' (it declares: ${named(keys)}).`,
            `Use a key from ${applicationName}'s configuration in connect.yaml.`,
          );
    };
    check(standardConfiguration, app.standard, '--app');
    check(securedConfiguration, app.secured, '--secret');
  }
};

/** The values checked against `<folder>/connect.yaml`, when the folder has one to read. */
export const checkValuesAgainstFolder = (values: ApplicationValues[], folder: string): void => {
  if (values.length === 0) return;
  let text: string;
  try {
    text = readFileSync(join(folder, 'connect.yaml'), 'utf8');
  } catch {
    // packFolder reports a missing connect.yaml, in its words.
    return;
  }
  checkValues(values, declaredConfiguration(text));
};
