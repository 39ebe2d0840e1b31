import { describe, expect, it } from 'vitest';
import { connectSpecificationParser } from '../../functions/adapters/connect-spec/parser.ts';
import { connectorConfigurations } from '../../functions/core/connectors/spec.ts';
import { SERVICE_APP_KEYS, CONNECT_YAML as VALID } from '../fixtures/connectors.ts';

describe('connect.yaml', () => {
  it('turns a valid file into applications, global configuration and the API client', async () => {
    const spec = await connectSpecificationParser.parse(VALID);

    expect(spec.applications.map((a) => [a.name, a.applicationType])).toEqual([
      ['service-app', 'service'],
      ['job-app', 'job'],
      ['event-app', 'event'],
      ['assets-app', 'assets'],
    ]);
    expect(spec.applications[0]).toMatchObject({
      endpoint: '/service',
      scripts: { postDeploy: 'node post-deploy.js', preUndeploy: 'node pre-undeploy.js' },
      ...SERVICE_APP_KEYS,
    });
    expect(spec.applications[1]?.schedule).toBe('*/5 * * * *');
    expect(spec.applications[3]?.endpoint).toBeUndefined();
    expect(spec.globalConfiguration?.standardConfiguration).toEqual([
      { key: 'GLOBAL_FLAG', description: 'shared by every application', required: true },
    ]);
    expect(spec.apiClient).toEqual({ scopes: ['manage_orders'] });
  });

  it("produces Connect's connector configurations", async () => {
    const configurations = connectorConfigurations(await connectSpecificationParser.parse(VALID));

    expect(configurations[0]).toEqual({
      applicationName: 'service-app',
      applicationType: 'service',
      ...SERVICE_APP_KEYS,
    });
    expect(configurations).toHaveLength(4);
  });

  it.each([
    ['broken YAML', 'deployAs: [\n  - name: x', ''],
    [
      'a service without an endpoint',
      'deployAs:\n  - name: app\n    applicationType: service\n',
      'deployAs.0',
    ],
    [
      'a reserved configuration key',
      'deployAs:\n  - name: app\n    applicationType: service\n    endpoint: /s\n    configuration:\n      standardConfiguration:\n        - key: PORT\n          description: no\n',
      'reserved',
    ],
    [
      'a job with an invalid schedule',
      'deployAs:\n  - name: app\n    applicationType: job\n    endpoint: /j\n    properties:\n      schedule: whenever\n',
      'schedule',
    ],
  ])('rejects %s as ConnectorSpecificationFileNotValid with the finding', async (_, text, finding) => {
    const error = await connectSpecificationParser.parse(text).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'ConnectorSpecificationFileNotValid' });
    expect((error as Error).message).toContain(finding);
  });
});
