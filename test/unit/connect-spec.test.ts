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

  describe('healthCheck (Connect, 23 October 2026)', () => {
    const withHealthCheck = (lines: string, type = 'service') =>
      `deployAs:\n  - name: app\n    applicationType: ${type}\n    endpoint: /app\n${
        type === 'job' ? '    properties:\n      schedule: "* * * * *"\n' : ''
      }    healthCheck:\n${lines
        .split('\n')
        .map((line) => `      ${line}`)
        .join('\n')}\n`;

    it('reads the path and every timing field given, on a service and on an event application', async () => {
      const service = await connectSpecificationParser.parse(
        withHealthCheck('path: /health\nintervalSeconds: 5\ntimeoutSeconds: 2\nunhealthyThreshold: 4'),
      );
      const event = await connectSpecificationParser.parse(
        withHealthCheck('path: /ready\nunhealthyThreshold: 2', 'event'),
      );

      expect(service.applications[0]).toMatchObject({
        healthCheckPath: '/health',
        healthCheck: { intervalSeconds: 5, timeoutSeconds: 2, unhealthyThreshold: 4 },
      });
      // Only the fields given: the defaults are applied where the check runs.
      expect(event.applications[0]?.healthCheckPath).toBe('/ready');
      expect(event.applications[0]?.healthCheck).toEqual({ unhealthyThreshold: 2 });
    });

    it('leaves the timing out when only the path is given', async () => {
      const spec = await connectSpecificationParser.parse(withHealthCheck('path: /health'));

      expect(spec.applications[0]?.healthCheckPath).toBe('/health');
      expect(spec.applications[0]).not.toHaveProperty('healthCheck');
    });

    it.each([
      [
        'intervalSeconds: 0',
        withHealthCheck('path: /health\nintervalSeconds: 0'),
        'healthCheck.intervalSeconds',
      ],
      [
        'intervalSeconds: 25',
        withHealthCheck('path: /health\nintervalSeconds: 25'),
        'healthCheck.intervalSeconds]: Number must be less than or equal to 20',
      ],
      [
        'an unknown field under healthCheck',
        withHealthCheck('path: /health\nretries: 3'),
        "[deployAs.0.healthCheck]: Unrecognized key(s) in object: 'retries'",
      ],
      ['a healthCheck without a path', withHealthCheck('intervalSeconds: 3'), 'healthCheck.path'],
      [
        'a healthCheck on a job application',
        withHealthCheck('path: /health', 'job'),
        "[deployAs.0]: Unrecognized key(s) in object: 'healthCheck'",
      ],
    ])('refuses %s, naming the field', async (_, text, finding) => {
      const error = await connectSpecificationParser.parse(text).catch((e: unknown) => e);

      expect(error).toMatchObject({ code: 'ConnectorSpecificationFileNotValid' });
      expect((error as Error).message).toContain(finding);
    });
  });
});
