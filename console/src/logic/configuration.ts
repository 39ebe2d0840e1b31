import type { Deployment } from '../api/types.ts';

export interface ConfigurationRow {
  key: string;
  /** A standard value as the API returns it, or the declared default. */
  value?: string;
  secured: boolean;
  /** Secured values are never shown: only whether one is set. */
  set: boolean;
  fromDefault: boolean;
}

export interface ApplicationConfiguration {
  applicationName: string;
  applicationType?: string;
  rows: ConfigurationRow[];
}

/**
 * Each application's configuration: what the connector declares (connect.yaml), with the
 * deployment's values. A secured key is `set` when the deployment holds a value for it (the
 * API shows it as `****`); its value is never carried here.
 */
export const configurationOf = (deployment: Deployment): ApplicationConfiguration[] => {
  const declared = deployment.connector.configurations ?? [];
  const names = new Set([
    ...declared.map((a) => a.applicationName),
    ...deployment.applications.map((a) => a.applicationName),
  ]);
  return [...names].map((applicationName) => {
    const spec = declared.find((a) => a.applicationName === applicationName);
    const given = deployment.applications.find((a) => a.applicationName === applicationName);
    const standard = new Map((given?.standardConfiguration ?? []).map((c) => [c.key, c.value]));
    const secured = new Set((given?.securedConfiguration ?? []).map((c) => c.key));
    const rows: ConfigurationRow[] = [];
    for (const key of spec?.standardConfiguration ?? []) {
      const value = standard.get(key.key);
      rows.push({
        key: key.key,
        ...(value !== undefined ? { value } : key.default !== undefined ? { value: key.default } : {}),
        secured: false,
        set: value !== undefined || key.default !== undefined,
        fromDefault: value === undefined && key.default !== undefined,
      });
      standard.delete(key.key);
    }
    for (const [key, value] of standard)
      rows.push({
        key,
        ...(value !== undefined ? { value } : {}),
        secured: false,
        set: true,
        fromDefault: false,
      });
    for (const key of spec?.securedConfiguration ?? []) {
      rows.push({ key: key.key, secured: true, set: secured.has(key.key), fromDefault: false });
      secured.delete(key.key);
    }
    for (const key of secured) rows.push({ key, secured: true, set: true, fromDefault: false });
    return {
      applicationName,
      ...(spec?.applicationType ? { applicationType: spec.applicationType } : {}),
      rows,
    };
  });
};
