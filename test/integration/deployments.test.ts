import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createDeployment } from '../../functions/core/deployments/create.ts';
import { MASKED } from '../../functions/http/views.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { connectorFiles, publishConnector, settle, storeUpload, zipBytes } from '../fixtures/connectors.ts';
import { untilUploaded } from '../fixtures/uploads.ts';
import { holdExecutions, operationEnd } from '../fixtures/workflows.ts';
import { type ApiResponse, api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
/** The run's secret canary: no response and no log line may ever hold it (see test/global-setup.ts). */
const CANARY = inject('canary');
let token: string;
let connectorKey: string;

const newProject = async () => {
  const key = uniqueKey('dep');
  expect((await api('/projects', { token, body: { key } })).status).toBe(201);
  return key;
};

const draftBody = (overrides: Record<string, unknown> = {}) => ({
  connector: { key: connectorKey },
  region: 'local',
  configurations: [
    {
      applicationName: 'service-app',
      standardConfiguration: [{ key: 'CTP_REGION', value: 'eu' }],
      securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: CANARY }],
    },
  ],
  globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
  ...overrides,
});

const create = (
  projectKey: string,
  overrides: Record<string, unknown> = {},
  headers: Record<string, string> = {},
) => api(`/${projectKey}/deployments`, { token, body: draftBody(overrides), headers });

/** Waits for the deploy (or undeploy) workflow a response started, and checks it succeeded. */
const settled = async (d: { id: string; status: string; details: { build: { id: string } } }) => {
  expect(await operationEnd(d)).toBe('SUCCEEDED');
};

const redeploy = (
  projectKey: string,
  ref: string,
  version: number,
  action: Record<string, unknown> = {},
  headers = {},
) =>
  api(`/${projectKey}/deployments/${ref}`, {
    token,
    body: { version, actions: [{ action: 'redeploy', ...action }] },
    headers,
  });

const read = async (projectKey: string, ref: string) =>
  (await api(`/${projectKey}/deployments/${ref}`, { token })).json();

/** Every response body of the file is checked for the secured canary value. */
const bodies: string[] = [];
const text = async (res: ApiResponse) => {
  const body = await res.text();
  bodies.push(body);
  return body;
};

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  connectorKey = await publishConnector(tenant, token, await newProject());
}, 60_000);

describe('creating a deployment', () => {
  it('answers 201 Queued with the connector snapshot, then the workflow marks it Deployed', async () => {
    const projectKey = await newProject();

    const res = await create(projectKey, { key: 'payments' });
    const created = JSON.parse(await text(res));
    await settled(created);
    const byId = await api(`/${projectKey}/deployments/${created.id}`, { token });
    const deployed = JSON.parse(await text(byId));
    const byKey = await read(projectKey, 'key=payments');

    expect(res.status).toBe(201);
    expect(res.headers.get('etag')).toBe('"1"');
    expect(created).toMatchObject({
      key: 'payments',
      version: 1,
      type: 'sandbox',
      status: 'Queued',
      preview: false,
      deployedRegion: 'local',
      connector: {
        key: connectorKey,
        version: 1,
        name: 'Payments',
        integrationTypes: ['psp'],
        certified: false,
      },
      globalConfiguration: {
        standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }],
        securedConfiguration: [],
      },
      apiClient: { name: 'slipway-payments', scopes: ['manage_orders'] },
      details: { build: { id: expect.any(String), report: { entries: [] } } },
    });
    expect(created.applications.map((a: JsonBody) => a.applicationName)).toEqual([
      'service-app',
      'job-app',
      'event-app',
      'assets-app',
    ]);
    expect(created.applications[0]).toMatchObject({
      standardConfiguration: [{ key: 'CTP_REGION', value: 'eu' }],
      securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: MASKED }],
    });
    // Queued (1) → Deploying (2) → Deployed (3): every workflow transition bumps the version.
    expect(byId.headers.get('etag')).toBe('"3"');
    expect(deployed).toMatchObject({ status: 'Deployed', version: 3 });
    expect(byKey).toEqual(deployed);
  });

  it.each([
    ['an unknown connector', { connector: { key: 'no-such-connector' } }, 'ConnectorReferenceNotFound'],
    [
      'a connector version that does not exist',
      { connector: { key: '$CONNECTOR', version: 99 } },
      'ConnectorReferenceNotFound',
    ],
    ['a preview of a published connector', { type: 'preview' }, 'DeploymentInvalidType'],
    [
      'a staged connector that is not previewable',
      { connector: { key: '$CONNECTOR', staged: true } },
      'ConnectorStagedNotPreviewable',
    ],
    [
      'a region this server does not serve',
      { region: 'germanywestcentral.azure' },
      'DeploymentUnsupportedRegion',
    ],
    [
      'an application the connector does not declare',
      { configurations: [{ applicationName: 'ghost', standardConfiguration: [] }] },
      'DeploymentUnknownApplicationConfiguration',
    ],
    [
      'a key the application does not declare',
      {
        configurations: [
          {
            applicationName: 'service-app',
            standardConfiguration: [{ key: 'NOPE', value: 'x' }],
            securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: 'x' }],
          },
        ],
      },
      'DeploymentUnknownApplicationConfigurationKey',
    ],
    [
      'a missing required secured key',
      { configurations: [] },
      'DeploymentMissingApplicationConfigurationKey',
    ],
    [
      'an undeclared global key',
      {
        globalConfiguration: {
          standardConfiguration: [
            { key: 'GLOBAL_FLAG', value: 'on' },
            { key: 'EXTRA', value: '1' },
          ],
        },
      },
      'DeploymentUnknownGlobalConfigurationKey',
    ],
    [
      'a missing required global key',
      { globalConfiguration: { standardConfiguration: [] } },
      'DeploymentMissingGlobalConfigurationKey',
    ],
    [
      'an empty required global key',
      { globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: '' }] } },
      'DeploymentEmptyRequiredGlobalConfigurationKey',
    ],
  ])('refuses %s with %s in the Connect envelope', async (_, overrides, code) => {
    const projectKey = await newProject();
    const resolved = JSON.parse(JSON.stringify(overrides).replaceAll('$CONNECTOR', connectorKey));

    const res = await create(projectKey, resolved);
    const body = await res.json();

    expect(res.status).toBe(400);
    expect(body).toMatchObject({ statusCode: 400, message: expect.any(String), errors: [{ code }] });
    expect((await (await api(`/${projectKey}/deployments`, { token })).json()).total).toBe(0);
  });

  it.each([
    [{ region: undefined }, 'region'],
    [{ connector: {} }, 'connector'],
    [{ connector: { key: 'a', id: 'b' } }, 'connector'],
    [{ type: 'staging' }, 'type'],
    [{ key: 'no spaces' }, 'key'],
    [
      {
        configurations: [
          { applicationName: 'service-app', securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: '' }] },
        ],
      },
      'configurations.0.securedConfiguration.0.value',
    ],
  ])('rejects %j naming %s', async (overrides, field) => {
    const res = await create('any-project', overrides);

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field });
  });

  it('keeps deployment keys unique within a project', async () => {
    const projectKey = await newProject();
    const first = await (await create(projectKey, { key: 'same' })).json();
    await settled(first);

    const res = await create(projectKey, { key: 'same' });

    expect(res.status).toBe(409);
    expect((await res.json()).errors[0]).toMatchObject({
      code: 'DuplicateField',
      field: 'key',
      duplicateValue: 'same',
    });
  });
});

describe('deploying an upload directly (artifact extension)', () => {
  const fromUpload = (projectKey: string, uploadId: string, extra: Record<string, unknown> = {}) =>
    api(`/${projectKey}/deployments`, {
      token,
      body: {
        artifact: { uploadId },
        region: 'local',
        configurations: [
          {
            applicationName: 'service-app',
            securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: 's' }],
          },
        ],
        globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
        ...extra,
      },
    });

  it('checks the stored bytes in the workflow: a SHA-256 other than the declared one fails the deployment', async () => {
    const projectKey = await newProject();
    const declared = zipBytes(connectorFiles());
    const signature = await (
      await api(`/${projectKey}/uploads`, {
        token,
        body: { sha256: createHash('sha256').update(declared).digest('base64') },
      })
    ).json();
    // The local S3 server keeps whatever it is sent; Slipway must notice.
    const other = zipBytes({
      ...connectorFiles(),
      'extra.txt': new TextEncoder().encode('not what was declared'),
    });
    expect(
      (await fetch(signature.url, { method: 'PUT', headers: signature.headers, body: other })).status,
    ).toBe(200);
    expect((await untilUploaded(token, projectKey, signature.id)).status).toBe('uploaded');

    const res = await fromUpload(projectKey, signature.id);
    const created = await res.json();
    expect(res.status).toBe(201);
    expect(await operationEnd(created)).toBe('FAILED');

    const failed = await read(projectKey, created.id);
    expect(failed.status).toBe('Failed');
    expect(failed.details.build.report.entries.at(-1)).toMatchObject({
      type: 'Error',
      title: expect.stringContaining('(UploadContentInvalid)'),
      message: expect.stringContaining('its SHA-256 differs from the declared one'),
    });
  });

  it('consumes the upload, keeps its own copy, and deploys it', async () => {
    const projectKey = await newProject();
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));

    const res = await fromUpload(projectKey, uploadId);
    const created = await res.json();
    await settled(created);
    const upload = await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json();
    const again = await fromUpload(projectKey, uploadId);

    expect(res.status).toBe(201);
    expect(created).toMatchObject({
      status: 'Queued',
      type: 'sandbox',
      connector: { id: uploadId, artifact: { projectKey, uploadId } },
      globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
    });
    expect(upload).toMatchObject({ status: 'consumed' });
    // The workflow learnt what the artifact declares: every application, and its keys.
    const deployed = await read(projectKey, created.id);
    expect(deployed.status).toBe('Deployed');
    expect(deployed.applications.map((a: { applicationName: string }) => a.applicationName).sort()).toEqual([
      'assets-app',
      'event-app',
      'job-app',
      'service-app',
    ]);
    expect(deployed.connector.configurations).toHaveLength(4);
    expect(again.status).toBe(409);
    expect((await again.json()).errors[0]).toMatchObject({
      code: 'UploadAlreadyConsumed',
      consumedBy: `deployment:${created.id}`,
    });
  });

  it('fails in the workflow when the values do not fit what the artifact declares, naming the key', async () => {
    const projectKey = await newProject();
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));

    const created = await (
      await fromUpload(projectKey, uploadId, {
        globalConfiguration: { standardConfiguration: [{ key: 'ANY_KEY', value: '1' }] },
      })
    ).json();
    const end = await operationEnd(created);
    const failed = await read(projectKey, created.id);

    expect(end).toBe('FAILED');
    expect(failed.status).toBe('Failed');
    expect(failed.details.build.report.entries).toContainEqual(
      expect.objectContaining({
        type: 'Error',
        title: expect.stringContaining('DeploymentUnknownGlobalConfigurationKey'),
        message: expect.stringContaining('ANY_KEY'),
      }),
    );
    // The lock is free again: the project takes a new deployment.
    const next = await fromUpload(
      projectKey,
      await storeUpload(token, projectKey, zipBytes(connectorFiles())),
    );
    expect(next.status).toBe(201);
    await settled(await next.json());
  });

  it('refuses another project’s upload as not found, creating nothing', async () => {
    const projectKey = await newProject();
    const elsewhere = await newProject();
    const uploadId = await storeUpload(token, elsewhere, zipBytes(connectorFiles()));

    const res = await fromUpload(projectKey, uploadId);

    expect(res.status).toBe(404);
    expect((await (await api(`/${projectKey}/deployments`, { token })).json()).total).toBe(0);
    expect((await (await api(`/${elsewhere}/uploads/${uploadId}`, { token })).json()).status).toBe(
      'uploaded',
    );
  });

  it('gives the upload back when the deployment cannot be written', async () => {
    const projectKey = await newProject();
    const first = await (await create(projectKey, { key: 'taken' })).json();
    await settled(first);
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));

    const res = await fromUpload(projectKey, uploadId, { key: 'taken' });

    expect(res.status).toBe(409);
    expect((await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json()).status).toBe(
      'uploaded',
    );
  });

  it('takes a connector or an upload, not both', async () => {
    const res = await create('any-project', {
      artifact: { uploadId: '00000000-0000-4000-8000-000000000000' },
    });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field: 'connector' });
  });
});

// Three rounds each here; the larger races (200 clients, 5 rounds) are test/proof/races.test.ts.
describe('one deployment in progress per project', () => {
  it('lets exactly one of 50 concurrent creates in, and names it to the other 49 (3 rounds)', async () => {
    await holdExecutions('slipway-deploy', true);
    try {
      for (let round = 0; round < 3; round++) {
        const projectKey = await newProject();

        const responses = await Promise.all(Array.from({ length: 50 }, () => create(projectKey)));
        const bodies = await Promise.all(responses.map((r) => r.json()));
        const winners = bodies.filter((_, i) => responses[i]?.status === 201);

        expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(49).fill(409)]);
        for (const [i, body] of bodies.entries()) {
          if (responses[i]?.status !== 409) continue;
          expect(body.errors[0]).toMatchObject({
            code: 'DeploymentInProgress',
            activeDeploymentId: winners[0].id,
            activeStatus: 'Queued',
          });
        }
        expect((await (await api(`/${projectKey}/deployments`, { token })).json()).total).toBe(1);
      }
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
  });

  it('lets exactly one of 50 concurrent redeploys of the same version in (3 rounds)', async () => {
    const projectKey = await newProject();
    let current = await (await create(projectKey)).json();
    await settled(current);
    current = await read(projectKey, current.id);

    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(
        Array.from({ length: 50 }, () => redeploy(projectKey, current.id, current.version)),
      );
      const bodies = await Promise.all(responses.map((r) => r.json()));

      expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(49).fill(409)]);
      for (const [i, body] of bodies.entries()) {
        if (responses[i]?.status === 409)
          expect(body.errors[0]).toMatchObject({
            code: 'ConcurrentModification',
            expectedVersion: current.version,
            currentVersion: expect.any(Number),
          });
      }
      const winner = bodies[responses.findIndex((r) => r.status === 201)];
      await settled(winner);
      current = await read(projectKey, current.id);
      expect(current).toMatchObject({ status: 'Deployed', version: winner.version + 2 });
    }
    // Four whole deploys: over the default timeout on a loaded two-core machine.
  }, 120_000);

  it('refuses a redeploy or delete while the deployment is queued, with Connect’s message', async () => {
    const projectKey = await newProject();
    await holdExecutions('slipway-deploy', true);
    try {
      const queued = await (await create(projectKey)).json();

      const again = await redeploy(projectKey, queued.id, queued.version);
      const removed = await api(`/${projectKey}/deployments/${queued.id}`, { token, method: 'DELETE' });

      for (const res of [again, removed]) {
        expect(res.status).toBe(400);
        expect((await res.json()).errors[0]).toMatchObject({
          code: 'DeploymentInvalidStatusTransition',
          message: 'Invalid status change: Already queued',
        });
      }
    } finally {
      await holdExecutions('slipway-deploy', false);
    }
  });

  it('releases the lock when the workflow cannot start, recording why', async () => {
    const projectKey = await newProject();
    const broken = {
      ...deploymentDeps,
      workflows: {
        ...deploymentDeps.workflows,
        start: async () => {
          throw Object.assign(new Error('down'), { name: 'ServiceUnavailable' });
        },
      },
    };
    const draft = {
      ...draftBody(),
      configurations: draftBody().configurations,
      connector: { key: connectorKey, staged: false },
    };

    const failed = await createDeployment(
      broken,
      { kind: 'client', subject: 's', tenant, scopes: ['admin'] },
      projectKey,
      draft as never,
    );
    const next = await create(projectKey);

    expect(failed).toMatchObject({ status: 'Failed', version: 2 });
    expect(failed.details.build.report.entries[0]?.title).toContain('ServiceUnavailable');
    expect(next.status).toBe(201);
    await settled(await next.json());
  });
});

describe('redeploying', () => {
  it('replaces given values per application and key, keeps the others, and keeps secrets masked', async () => {
    const projectKey = await newProject();
    const created = await (await create(projectKey)).json();
    await settled(created);

    const res = await redeploy(projectKey, created.id, 3, {
      skipScripts: true,
      configurationValues: [
        {
          applicationName: 'service-app',
          standardConfiguration: [{ key: 'CTP_REGION', value: 'us' }],
        },
      ],
    });
    const body = JSON.parse(await text(res));

    expect(res.status).toBe(201);
    expect(body).toMatchObject({ status: 'Queued', version: 4 });
    expect(body.details.build.id).not.toBe(created.details.build.id);
    expect(body.applications[0].standardConfiguration).toEqual([{ key: 'CTP_REGION', value: 'us' }]);
    expect(body.globalConfiguration.standardConfiguration).toEqual([{ key: 'GLOBAL_FLAG', value: 'on' }]);
    expect(body.applications[0].securedConfiguration).toEqual([{ key: 'CTP_CLIENT_SECRET', value: MASKED }]);
    await settled(body);
  });

  it.each([
    [
      { configurationValues: [] },
      'DeploymentApplicationRequired',
      'A Deployment requires at least one application',
    ],
    [
      { configurationValues: [{ applicationName: 'ghost', standardConfiguration: [] }] },
      'DeploymentApplicationDoNotBelong',
      'does not include application: ghost',
    ],
  ])('refuses %j with %s', async (action, code, message) => {
    const projectKey = await newProject();
    const created = await (await create(projectKey)).json();
    await settled(created);

    const res = await redeploy(projectKey, created.id, 3, action);

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code, message: expect.stringContaining(message) });
  });

  it('moves to the connector’s newest version with updateConnector, and only then', async () => {
    const projectKey = await newProject();
    const key = await publishConnector(tenant, token, projectKey);
    const created = await (await create(projectKey, { connector: { key } })).json();
    await settled(created);
    const draft = await (await api(`/connectors/drafts/key=${key}`, { token })).json();
    await api(`/connectors/drafts/${draft.id}`, {
      token,
      body: {
        version: draft.version,
        actions: [{ action: 'setName', name: 'Payments 2' }, { action: 'publish' }],
      },
    });
    await settle(tenant, draft.id);

    const kept = await (await redeploy(projectKey, created.id, 3)).json();
    await settled(kept);
    const moved = await (
      await redeploy(projectKey, created.id, kept.version + 2, { updateConnector: true })
    ).json();
    await settled(moved);

    expect(kept.connector).toMatchObject({ version: 1, name: 'Payments' });
    expect(moved.connector).toMatchObject({ version: 2, name: 'Payments 2' });
    expect(moved.applications[0].securedConfiguration).toEqual([{ key: 'CTP_CLIENT_SECRET', value: MASKED }]);
  });

  it('honours If-Match: 412 on another version, and ETag on every answer', async () => {
    const projectKey = await newProject();
    const created = await (await create(projectKey)).json();
    await settled(created);

    const stale = await redeploy(projectKey, created.id, 3, {}, { 'if-match': '"1"' });
    const fresh = await redeploy(projectKey, created.id, 3, {}, { 'if-match': 'W/"3"' });

    expect(stale.status).toBe(412);
    expect((await stale.json()).errors[0]).toMatchObject({ code: 'PreconditionFailed', currentVersion: 3 });
    expect(fresh.status).toBe(201);
    expect(fresh.headers.get('etag')).toBe('"4"');
    await settled(await fresh.json());
  });
});

describe('deleting', () => {
  it('answers 202 Undeploying, then the deployment is gone and its key free', async () => {
    const projectKey = await newProject();
    const created = await (await create(projectKey, { key: 'short-lived' })).json();
    await settled(created);

    const res = await api(`/${projectKey}/deployments/key=short-lived`, { token, method: 'DELETE' });
    const body = await res.json();
    await settled(body);
    const after = await api(`/${projectKey}/deployments/${created.id}`, { token });
    const list = await (await api(`/${projectKey}/deployments`, { token })).json();
    const again = await create(projectKey, { key: 'short-lived' });

    expect(res.status).toBe(202);
    expect(body).toMatchObject({ status: 'Undeploying', version: 4 });
    expect(after.status).toBe(404);
    expect(list.total).toBe(0);
    expect(again.status).toBe(201);
    await settled(await again.json());
  });
});

describe('idempotency', () => {
  it('replays the first response for the same key and body, and creates nothing more', async () => {
    const projectKey = await newProject();
    const headers = { 'idempotency-key': uniqueKey('idem') };

    const first = await create(projectKey, { key: 'once' }, headers);
    const firstBody = await first.json();
    const replay = await create(projectKey, { key: 'once' }, headers);
    const replayBody = await replay.json();
    await settled(firstBody);
    const list = await (await api(`/${projectKey}/deployments`, { token })).json();

    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replayBody).toEqual(firstBody);
    expect(list.total).toBe(1);
  });

  it('answers 422 for the same key with another body, and still replays the first after that', async () => {
    const projectKey = await newProject();
    const headers = { 'idempotency-key': uniqueKey('idem') };
    const first = await create(projectKey, { key: 'one' }, headers);
    await settled(await first.json());

    const other = await create(projectKey, { key: 'two' }, headers);
    const replay = await create(projectKey, { key: 'one' }, headers);

    expect(other.status).toBe(422);
    expect((await other.json()).errors[0]).toMatchObject({ code: 'IdempotencyKeyMismatch' });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe('secured configuration', () => {
  it('never shows the secured value in any response of this file, nor in any log line', async () => {
    const projectKey = await newProject();
    const created = await create(projectKey);
    await text(created);
    await text(await api(`/${projectKey}/deployments`, { token }));
    await settled(JSON.parse(bodies.at(-2) ?? '{}'));
    const logged = readFileSync(inject('logFile'), 'utf8');

    expect(bodies.length).toBeGreaterThan(3);
    for (const body of bodies) expect(body).not.toContain(CANARY);
    expect(bodies.join('\n')).toContain(MASKED);
    // The capture saw this test's own requests (at DEBUG), and nothing of the secret.
    expect(logged).toContain(`/${projectKey}/deployments`);
    expect(logged).not.toContain(CANARY);
  });
});
