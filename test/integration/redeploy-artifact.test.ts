import { beforeAll, describe, expect, it } from 'vitest';
import { storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { api, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * Slipway's `redeploy` with `artifact: {uploadId}`: a deployment built from a new upload of its
 * project (what `slipway deploy` does when the key exists), the upload claimed once.
 */

const tenant = newTenant();
let token: string;

/** A one-service connector whose service answers `answer`, and its GREETING. */
const folder = (answer: string) =>
  zipBytes({
    'connect.yaml': text(`deployAs:
  - name: service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - key: GREETING
          description: what the service says first
          default: Hello
`),
    'service/package.json': text('{"name":"service","scripts":{"start":"node index.js"}}'),
    'service/index.js': text(
      `require('node:http').createServer((q, s) => s.end(process.env.GREETING + ' ${answer}')).listen(process.env.PORT, '127.0.0.1');`,
    ),
  });

const read = async (projectKey: string, id: string) =>
  (await api(`/${projectKey}/deployments/${id}`, { token })).json();

const redeploy = (projectKey: string, id: string, version: number, action: Record<string, unknown>) =>
  api(`/${projectKey}/deployments/${id}`, {
    token,
    body: { version, actions: [{ action: 'redeploy', ...action }] },
  });

let projectKey: string;
let deployment: { id: string; version: number };

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  projectKey = uniqueKey('redeploy');
  expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
  const uploadId = await storeUpload(token, projectKey, folder('v1'));
  const created = await (
    await api(`/${projectKey}/deployments`, {
      token,
      body: {
        key: 'site',
        artifact: { uploadId },
        region: 'local',
        configurations: [
          { applicationName: 'service', standardConfiguration: [{ key: 'GREETING', value: 'Hi' }] },
        ],
      },
    })
  ).json();
  expect(await operationEnd(created)).toBe('SUCCEEDED');
  deployment = await read(projectKey, created.id);
}, 60_000);

describe('redeploying with a new upload (artifact extension)', () => {
  it('builds the new upload, keeps the configuration values, and claims the upload', async () => {
    const uploadId = await storeUpload(token, projectKey, folder('v2'));

    const res = await redeploy(projectKey, deployment.id, deployment.version, { artifact: { uploadId } });
    const queued = await res.json();
    const end = await operationEnd(queued);
    const deployed = await read(projectKey, deployment.id);
    const upload = await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json();

    expect(res.status).toBe(201);
    expect(queued.connector).toMatchObject({ id: uploadId, artifact: { projectKey, uploadId } });
    expect(end).toBe('SUCCEEDED');
    expect(deployed.status).toBe('Deployed');
    expect(
      deployed.connector.configurations.map((c: { applicationName: string }) => c.applicationName),
    ).toEqual(['service']);
    expect(await (await fetch(deployed.applications[0].url)).text()).toBe('Hi v2');
    expect(upload).toMatchObject({ status: 'consumed' });
    deployment = deployed;
  });

  it('refuses an upload already used, and one given with updateConnector', async () => {
    const used = deployment as unknown as { connector: { id: string } };

    const again = await redeploy(projectKey, deployment.id, deployment.version, {
      artifact: { uploadId: used.connector.id },
    });
    const both = await redeploy(projectKey, deployment.id, deployment.version, {
      artifact: { uploadId: used.connector.id },
      updateConnector: true,
    });

    expect(again.status).toBe(409);
    expect((await again.json()).errors[0]).toMatchObject({ code: 'UploadAlreadyConsumed' });
    expect(both.status).toBe(400);
    expect((await both.json()).errors[0].detailedErrorMessage).toContain('not both');
    expect((await read(projectKey, deployment.id)).version).toBe(deployment.version);
  });

  it('checks new values against the new connect.yaml in the workflow, naming the key', async () => {
    const uploadId = await storeUpload(token, projectKey, folder('v3'));

    const queued = await (
      await redeploy(projectKey, deployment.id, deployment.version, {
        artifact: { uploadId },
        configurationValues: [
          { applicationName: 'service', standardConfiguration: [{ key: 'NOPE', value: '1' }] },
        ],
      })
    ).json();
    const end = await operationEnd(queued);
    const failed = await read(projectKey, deployment.id);

    expect(end).toBe('FAILED');
    expect(failed.status).toBe('Failed');
    expect(failed.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Error',
      title: expect.stringContaining('DeploymentUnknownApplicationConfigurationKey'),
    });
    // The build that served before still serves.
    expect(await (await fetch(failed.applications[0].url)).text()).toBe('Hi v2');
  });
});
