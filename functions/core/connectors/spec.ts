/**
 * What connect.yaml declares, in Slipway's terms: the applications to build and host, their
 * configuration keys and scripts, and what the connector inherits. Parsing and validation
 * belong to `@commercetools-connect/specification` (behind the `SpecificationParser` port).
 */

/**
 * How often a service or event application's health check runs once deployed, as connect.yaml's
 * `healthCheck` gives it (Connect, 23 October 2026); each field 1–20.
 */
export interface HealthCheckTiming {
  intervalSeconds?: number;
  timeoutSeconds?: number;
  unhealthyThreshold?: number;
}

export interface ConfigurationKey {
  key: string;
  description: string;
  required: boolean;
  /** Standard configuration only. */
  default?: string;
}

export interface ConfigurationSpec {
  standardConfiguration: ConfigurationKey[];
  securedConfiguration: ConfigurationKey[];
}

export interface ApplicationSpec extends ConfigurationSpec {
  name: string;
  applicationType: string;
  /** Where the hosted application answers (service, event, job); none for assets. */
  endpoint?: string;
  /** Job applications' default cron schedule. */
  schedule?: string;
  healthCheckPath?: string;
  /** connect.yaml's `healthCheck` timing, when it gives any. */
  healthCheck?: HealthCheckTiming;
  scripts: { postDeploy?: string; preUndeploy?: string };
}

export interface ConnectorSpecification {
  applications: ApplicationSpec[];
  globalConfiguration?: ConfigurationSpec;
  apiClient?: { scopes: string[] };
}

export interface SpecificationParser {
  /** Throws `ConnectorSpecificationFileNotValid` with every finding when the file is not valid. */
  parse(text: string): Promise<ConnectorSpecification>;
}

/** Connect's `connector.configurations`: per application, its type and declared keys. */
export const connectorConfigurations = (spec: ConnectorSpecification) =>
  spec.applications.map((app) => ({
    applicationName: app.name,
    applicationType: app.applicationType,
    standardConfiguration: app.standardConfiguration,
    securedConfiguration: app.securedConfiguration,
  }));
