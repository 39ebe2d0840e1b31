import {
  ConnectorSpecificationParseError,
  ConnectorSpecificationParser,
} from '@commercetools-connect/specification';
import { ConnectorSpecificationFileNotValid } from '../../core/connectors/errors.ts';
import type {
  ApplicationSpec,
  ConfigurationKey,
  ConfigurationSpec,
  HealthCheckTiming,
  SpecificationParser,
} from '../../core/connectors/spec.ts';

type SpecificationObject = Awaited<ReturnType<ConnectorSpecificationParser['parse']>>;
type ApplicationObject = SpecificationObject['deployAs'][number];

interface KeyObject {
  key: string;
  description: string;
  required?: boolean;
  default?: string;
}

interface ConfigurationObject {
  standardConfiguration?: KeyObject[];
  securedConfiguration?: KeyObject[];
}

const keyOf = ({ key, description, required, default: fallback }: KeyObject): ConfigurationKey => ({
  key,
  description,
  required: required ?? false,
  ...(fallback === undefined ? {} : { default: fallback }),
});

const configurationOf = (configuration: ConfigurationObject | undefined): ConfigurationSpec => ({
  standardConfiguration: (configuration?.standardConfiguration ?? []).map(keyOf),
  securedConfiguration: (configuration?.securedConfiguration ?? []).map(({ default: _, ...k }) => keyOf(k)),
});

type HealthCheckObject = HealthCheckTiming & { path?: string };

/** The timing fields connect.yaml gives, and only those (the package checked each is 1–20). */
const timingOf = ({ path: _, ...given }: HealthCheckObject): HealthCheckTiming | undefined => {
  const timing: HealthCheckTiming = {};
  if (given.intervalSeconds !== undefined) timing.intervalSeconds = given.intervalSeconds;
  if (given.timeoutSeconds !== undefined) timing.timeoutSeconds = given.timeoutSeconds;
  if (given.unhealthyThreshold !== undefined) timing.unhealthyThreshold = given.unhealthyThreshold;
  return Object.keys(timing).length > 0 ? timing : undefined;
};

const applicationOf = (app: ApplicationObject): ApplicationSpec => {
  const fields = app as ApplicationObject & {
    endpoint?: string;
    properties?: { schedule?: string };
    healthCheck?: HealthCheckObject;
    scripts?: { postDeploy?: string; preUndeploy?: string };
    configuration?: ConfigurationObject;
  };
  const timing = fields.healthCheck && timingOf(fields.healthCheck);
  return {
    name: app.name,
    applicationType: app.applicationType,
    ...(fields.endpoint === undefined ? {} : { endpoint: fields.endpoint }),
    ...(fields.properties?.schedule === undefined ? {} : { schedule: fields.properties.schedule }),
    ...(fields.healthCheck?.path === undefined ? {} : { healthCheckPath: fields.healthCheck.path }),
    ...(timing === undefined ? {} : { healthCheck: timing }),
    scripts: { ...fields.scripts },
    ...configurationOf(fields.configuration),
  };
};

const parser = new ConnectorSpecificationParser();

/** connect.yaml through the commercetools specification package: its YAML rules, its findings. */
export const connectSpecificationParser: SpecificationParser = {
  async parse(text) {
    let spec: SpecificationObject;
    try {
      spec = await parser.parse(text);
    } catch (error) {
      if (error instanceof ConnectorSpecificationParseError)
        throw new ConnectorSpecificationFileNotValid(error.message);
      throw error;
    }
    const inherit = spec.inheritAs as
      | { configuration?: ConfigurationObject; apiClient?: { scopes: string[] } }
      | undefined;
    return {
      applications: spec.deployAs.map(applicationOf),
      ...(inherit?.configuration ? { globalConfiguration: configurationOf(inherit.configuration) } : {}),
      ...(inherit?.apiClient ? { apiClient: { scopes: [...inherit.apiClient.scopes] } } : {}),
    };
  },
};
