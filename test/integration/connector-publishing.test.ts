import type { Zippable } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { finishCheck } from '../../functions/core/connectors/publishing.ts';
import { updateConnectorDraft } from '../../functions/core/connectors/registry.ts';
import { connectorDeps } from '../../functions/wiring/connectors.ts';
import { publisherDeps } from '../../functions/wiring/publisher.ts';
import {
  CONNECT_YAML,
  connectorFiles,
  connectorRepoFiles,
  gitRepository,
  SERVICE_APP_KEYS,
  settle,
  storeUpload,
  text,
  zipBytes,
} from '../fixtures/connectors.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
const projectKey = uniqueKey('pub');
let token: string;

const creator = { email: 'dev@example.com', company: 'Acme' };

const createDraft = async (source: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
  const res = await api('/connectors/drafts', {
    token,
    body: { key: uniqueKey('conn'), name: 'Connector', creator, ...source, ...extra },
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
};

/** Sends the update, waits for the workflows it started, and returns the draft as recorded. */
const updateAndSettle = async (id: string, version: number, actions: unknown[], as = token) => {
  const res = await api(`/connectors/drafts/${id}`, { token: as, body: { version, actions } });
  const accepted = await res.json();
  expect(res.status, JSON.stringify(accepted)).toBe(200);
  await settle(tenant, id);
  const draft = await (await api(`/connectors/drafts/${id}`, { token: as })).json();
  return { accepted, draft };
};

const publish = (draft: { id: string; version: number }, certification = false) =>
  updateAndSettle(draft.id, draft.version, [{ action: 'publish', certification }]);

const repoWithTag = (
  tag: string,
  files: Record<string, string | { symlink: string }> = connectorRepoFiles(),
) => {
  const repo = gitRepository();
  repo.commitAndTag(files, tag);
  return repo;
};

/** A Failed draft whose report holds one Error entry with `code` and a message. */
const expectPublishFailure = (draft: JsonBody, code: string) => {
  expect(draft.status).toBe('Failed');
  expect(draft.publishingReport.entries).toEqual([
    expect.objectContaining({ type: 'Error', title: 'Publishing failed', code, message: expect.any(String) }),
  ]);
};

beforeAll(async () => {
  token = await tokenFor(tenant, ['manage_connectors', `manage_project:${projectKey}`]);
  const admin = await tokenFor(tenant, ['admin']);
  expect((await api('/projects', { token: admin, body: { key: projectKey } })).status).toBe(201);
});

describe('publishing from a git tag', () => {
  it('clones the tag, checks it, and writes Connector version 1 from connect.yaml', async () => {
    const repo = repoWithTag('v1.0.0');
    const draft = await createDraft({ repository: { url: repo.url, tag: 'v1.0.0' } });

    const { accepted, draft: published } = await publish(draft);
    const connector = await (await api(`/connectors/${draft.id}`, { token })).json();
    const byKey = await (await api(`/connectors/key=${draft.key}`, { token })).json();

    expect(accepted).toMatchObject({ status: 'Processing', version: 2 });
    expect(published).toMatchObject({
      status: 'Published',
      version: 3,
      alreadyListed: true,
      hasChanges: false,
      publishedVersion: 1,
      publishingReport: { entries: [{ type: 'Information', title: 'Published' }] },
    });
    expect(published.configurations.map((c: { applicationName: string }) => c.applicationName)).toEqual([
      'service-app',
      'job-app',
      'event-app',
      'assets-app',
    ]);
    expect(connector).toMatchObject({
      id: draft.id,
      key: draft.key,
      version: 1,
      name: 'Connector',
      repository: { url: repo.url, tag: 'v1.0.0' },
      private: true,
      certified: false,
      apiClient: { scopes: ['manage_orders'] },
      globalConfiguration: {
        standardConfiguration: [
          { key: 'GLOBAL_FLAG', description: 'shared by every application', required: true },
        ],
      },
    });
    expect(connector.configurations[0]).toEqual({
      applicationName: 'service-app',
      applicationType: 'service',
      ...SERVICE_APP_KEYS,
    });
    expect(byKey).toEqual(connector);
    // DynamoDB keeps no attribute order; the views restore Connect's, so output is stable.
    expect(Object.keys(connector.configurations[0])).toEqual([
      'applicationName',
      'applicationType',
      'standardConfiguration',
      'securedConfiguration',
    ]);
    expect(Object.keys(connector.configurations[0].standardConfiguration[0])).toEqual([
      'key',
      'description',
      'required',
      'default',
    ]);
  });

  it('publishes version 2 from a new tag, keeping version 1 immutable', async () => {
    const repo = repoWithTag('v1');
    repo.commitAndTag(
      { 'connect.yaml': CONNECT_YAML.replace('endpoint: /service', 'endpoint: /service-v2') },
      'v2',
    );
    const draft = await createDraft({ repository: { url: repo.url, tag: 'v1' } });
    const { draft: first } = await publish(draft);

    const { draft: edited } = await updateAndSettle(draft.id, first.version, [
      { action: 'setRepository', tag: 'v2' },
      { action: 'setName', name: 'Connector, second edition' },
    ]);
    const { draft: second } = await publish(edited);
    const latest = await (await api(`/connectors/${draft.id}`, { token })).json();
    const v1 = await connectorDeps.connectors.getConnector(draft.id, 1);

    expect(edited.hasChanges).toBe(true);
    expect(second).toMatchObject({ status: 'Published', publishedVersion: 2, hasChanges: false });
    expect(latest).toMatchObject({
      version: 2,
      name: 'Connector, second edition',
      repository: { tag: 'v2' },
    });
    expect(v1).toMatchObject({ version: 1, name: 'Connector', source: { tag: 'v1' } });
  });

  it.each([
    [
      'a tag that does not exist',
      (url: string) => ({ url, tag: 'v9.9.9' }),
      "the tag 'v9.9.9' was not found in the repository",
    ],
    [
      'a repository that does not exist',
      () => ({ url: 'file:///nonexistent/slipway/repo', tag: 'v1' }),
      'no repository was found at this URL',
    ],
  ])('reports %s as GitRepositoryNotReachable saying what to fix', async (_, repository, reason) => {
    const repo = repoWithTag('v1');
    const draft = await createDraft({ repository: repository(repo.url) });

    const { draft: failed } = await publish(draft);

    expectPublishFailure(failed, 'GitRepositoryNotReachable');
    // git's own output (paths, hosts, ports) stays internal; the report says what to fix.
    expect(failed.publishingReport.entries[0].message).toMatch(new RegExp(`: ${reason}$`));
    expect(failed.publishingReport.entries[0].message).not.toContain('fatal');
    expect((await api(`/connectors/${draft.id}`, { token })).status).toBe(404);
  });

  it('keeps a symbolic link in the repository a link, and refuses it as ArtifactSymlink', async () => {
    const repo = repoWithTag('v1', {
      ...connectorRepoFiles(),
      'service-app/secrets': { symlink: '/etc/passwd' },
    });
    const draft = await createDraft({ repository: { url: repo.url, tag: 'v1' } });

    const { draft: failed } = await publish(draft);

    expect(failed.publishingReport.entries[0]).toMatchObject({ code: 'ArtifactSymlink' });
    expect(failed.publishingReport.entries[0].message).toContain('service-app/secrets');
  });
});

describe('publishing from an upload', () => {
  it('consumes the upload, keeps its own copy, and publishes it', async () => {
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
    const draft = await createDraft({ artifact: { projectKey, uploadId } });
    const upload = await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json();

    const { draft: published } = await publish(draft);
    const connector = await (await api(`/connectors/${draft.id}`, { token })).json();
    const again = await api('/connectors/drafts', {
      token,
      body: { name: 'Second user', creator, artifact: { projectKey, uploadId } },
    });

    expect(draft.artifact).toEqual({ projectKey, uploadId });
    expect(upload.status).toBe('consumed');
    expect(published.status).toBe('Published');
    expect(connector).toMatchObject({ version: 1, artifact: { projectKey, uploadId } });
    expect(connector.configurations).toHaveLength(4);
    expect(again.status).toBe(409);
    expect((await again.json()).errors[0]).toMatchObject({
      code: 'UploadAlreadyConsumed',
      consumedBy: `connector:${draft.id}`,
    });
  });

  it('refuses an upload of a project the caller has no rights on', async () => {
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
    const connectorsOnly = await tokenFor(tenant, ['manage_connectors']);

    const res = await api('/connectors/drafts', {
      token: connectorsOnly,
      body: { name: 'x', creator, artifact: { projectKey, uploadId } },
    });
    const upload = await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json();

    expect(res.status).toBe(403);
    expect(upload.status).toBe('uploaded');
  });

  it('gives the upload back to the loser when two drafts race for one key', async () => {
    const key = uniqueKey('race');
    const uploads = await Promise.all(
      [1, 2].map(() => storeUpload(token, projectKey, zipBytes(connectorFiles()))),
    );

    const responses = await Promise.all(
      uploads.map((uploadId) =>
        api('/connectors/drafts', {
          token,
          body: { key, name: 'x', creator, artifact: { projectKey, uploadId } },
        }),
      ),
    );
    const statuses = await Promise.all(
      uploads.map(async (id) => (await (await api(`/${projectKey}/uploads/${id}`, { token })).json()).status),
    );

    expect(responses.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = responses.findIndex((r) => r.status === 201);
    expect(statuses[winner]).toBe('consumed');
    expect(statuses[1 - winner]).toBe('uploaded');
  });

  const symlink = (target: string): Zippable[string] => [
    text(target),
    { os: 3, attrs: (0o120777 << 16) >>> 0 },
  ];
  const manyEntries = (): Zippable => {
    const files: Zippable = { 'connect.yaml': text(CONNECT_YAML) };
    for (let i = 0; i < 10_000; i++) files[`f/${i}`] = text('');
    return files;
  };

  it.each([
    [
      'a zip-slip entry',
      'ArtifactUnsafePath',
      () => zipBytes({ ...connectorFiles(), '../../evil.sh': text('#!/bin/sh') }),
    ],
    [
      'an absolute path',
      'ArtifactUnsafePath',
      () => zipBytes({ 'connect.yaml': text(CONNECT_YAML), '/etc/cron.d/x': text('x') }),
    ],
    [
      'a symbolic link',
      'ArtifactSymlink',
      () => zipBytes({ ...connectorFiles(), 'my-connector/link': symlink('/etc/passwd') }),
    ],
    [
      'a zip bomb',
      'ArtifactCompressionRatio',
      () => zipBytes({ ...connectorFiles(), 'my-connector/zeros': new Uint8Array(20 * 1024 * 1024) }),
    ],
    ['10,001 entries', 'ArtifactTooManyEntries', () => zipBytes(manyEntries())],
    ['a file that is not a zip', 'ArtifactNotZip', () => Buffer.from('PK but not really a zip archive')],
    [
      'no connect.yaml',
      'ConnectorSpecificationFileNotFound',
      () => zipBytes({ 'my-connector/index.js': text('1') }),
    ],
    [
      'an invalid connect.yaml',
      'ConnectorSpecificationFileNotValid',
      () => zipBytes(connectorFiles('deployAs:\n  - name: app\n    applicationType: service\n')),
    ],
  ])('reports an artifact with %s as %s in the publishing report', async (_, code, bytes) => {
    const uploadId = await storeUpload(token, projectKey, bytes());
    const draft = await createDraft({ artifact: { projectKey, uploadId } });

    const { draft: failed } = await publish(draft);

    expectPublishFailure(failed, code);
    expect((await api(`/connectors/${draft.id}`, { token })).status).toBe(404);
  });

  it('shows the validator’s findings for an invalid connect.yaml', async () => {
    const yaml =
      'deployAs:\n  - name: app\n    applicationType: job\n    endpoint: /j\n    properties:\n      schedule: whenever\n';
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles(yaml)));
    const draft = await createDraft({ artifact: { projectKey, uploadId } });

    const { draft: failed } = await publish(draft);

    expect(failed.publishingReport.entries[0].message).toContain('schedule');
  });

  it('needs a url for setRepository when the connector was built from an upload', async () => {
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
    const draft = await createDraft({ artifact: { projectKey, uploadId } });

    const res = await api(`/connectors/drafts/${draft.id}`, {
      token,
      body: { version: 1, actions: [{ action: 'setRepository', tag: 'v1' }] },
    });

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({ code: 'InvalidJsonInput', field: 'actions.0.url' });
  });
});

describe('recording an outcome', () => {
  it('records each check once: a repeated or superseded step changes nothing', async () => {
    const draft = await createDraft({ repository: { url: repoWithTag('v1').url, tag: 'v1' } });
    const { draft: published } = await publish(draft);
    const stored = await connectorDeps.connectors.getDraft(tenant, draft.id);
    const request = stored?.publishRequest as NonNullable<typeof stored>['publishRequest'] & object;
    const inspection = { configurations: [], entryCount: 1, uncompressedBytes: 1 };

    const repeated = await finishCheck(
      publisherDeps,
      { tenant, connectorId: draft.id, request },
      { ok: true, inspection },
    );
    const superseded = await finishCheck(
      publisherDeps,
      {
        tenant,
        connectorId: draft.id,
        request: { ...request, id: 'an-older-request', finishedAt: undefined },
      },
      { ok: false, code: 'General', message: 'late' },
    );
    const after = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();

    expect(repeated).toBeUndefined();
    expect(superseded).toBeUndefined();
    expect(after).toEqual(published);
    expect(await connectorDeps.connectors.getConnector(draft.id, 2)).toBeUndefined();
  });
});

describe('certification and search', () => {
  it('lists a certified connector for every tenant, and a private one for its owner only', async () => {
    const marker = uniqueKey('findme');
    const repo = repoWithTag('v1');
    const privateDraft = await createDraft(
      { repository: { url: repo.url, tag: 'v1' } },
      { name: `Private ${marker}`, integrationTypes: ['tax'] },
    );
    const publicDraft = await createDraft(
      { repository: { url: repo.url, tag: 'v1' } },
      { name: `Public ${marker}`, integrationTypes: ['psp'] },
    );
    await publish(privateDraft);
    const { draft: certified } = await publish(publicDraft, true);
    const stranger = await tokenFor(newTenant(), ['view_connectors']);

    const mine = await (await api(`/connectors/search?text=${marker}&sort=name`, { token })).json();
    const theirs = await (await api(`/connectors/search?text=${marker}`, { token: stranger })).json();
    const byType = await (
      await api(`/connectors/search?text=${marker}&integrationTypes=psp`, { token })
    ).json();
    const byKey = await (await api(`/connectors/search?key=${privateDraft.key}`, { token })).json();

    expect(certified).toMatchObject({
      private: false,
      publishingReport: { entries: [{}, { title: 'Certified' }] },
    });
    expect(mine).toMatchObject({ total: 2, count: 2, offset: 0, limit: 20 });
    expect(mine.results.map((c: { name: string }) => c.name)).toEqual([
      `Private ${marker}`,
      `Public ${marker}`,
    ]);
    expect(theirs.results).toEqual([
      expect.objectContaining({ id: publicDraft.id, certified: true, private: false }),
    ]);
    expect(byType.results.map((c: { id: string }) => c.id)).toEqual([publicDraft.id]);
    expect(byKey.results.map((c: { id: string }) => c.id)).toEqual([privateDraft.id]);
    expect((await api(`/connectors/${privateDraft.id}`, { token: stranger })).status).toBe(404);
    expect((await api(`/connectors/${publicDraft.id}`, { token: stranger })).status).toBe(200);
  });
});

describe('previewable checks', () => {
  it('marks a good source previewable, pending first, with a report', async () => {
    const repo = repoWithTag('v1');
    const draft = await createDraft({ repository: { url: repo.url, tag: 'v1' } });

    const { accepted, draft: checked } = await updateAndSettle(draft.id, 1, [
      { action: 'updatePreviewable' },
    ]);

    expect(accepted.isPreviewable).toBe('pending');
    expect(checked).toMatchObject({
      isPreviewable: 'true',
      status: 'Draft',
      previewableReport: { entries: [{ type: 'Information', title: 'Previewable' }] },
    });
    expect(checked.configurations).toHaveLength(4);
    expect((await api(`/connectors/${draft.id}`, { token })).status).toBe(404);
  });

  it('marks a bad source not previewable, and a new source resets the result', async () => {
    const uploadId = await storeUpload(token, projectKey, zipBytes({ 'my-connector/index.js': text('1') }));
    const draft = await createDraft({ artifact: { projectKey, uploadId } });

    const { draft: checked } = await updateAndSettle(draft.id, 1, [{ action: 'updatePreviewable' }]);
    const { draft: reset } = await updateAndSettle(draft.id, checked.version, [
      { action: 'setRepository', url: repoWithTag('v1').url, tag: 'v1' },
    ]);

    expect(checked).toMatchObject({
      isPreviewable: 'false',
      previewableReport: { entries: [{ type: 'Error', code: 'ConnectorSpecificationFileNotFound' }] },
    });
    expect(reset.isPreviewable).toBe('none');
    expect(reset.previewableReport).toBeUndefined();
  });
});

describe('when a write’s response is lost', () => {
  it('treats the retry’s conflict as success and keeps the upload consumed', async () => {
    const draft = await createDraft({ repository: { url: repoWithTag('v1').url, tag: 'v1' } });
    const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
    // The write lands, then the call fails the way the SDK's retry of it would.
    const lossy = {
      ...connectorDeps,
      connectors: {
        ...connectorDeps.connectors,
        putDraft: async (next: Parameters<typeof connectorDeps.connectors.putDraft>[0], expected: number) => {
          await connectorDeps.connectors.putDraft(next, expected);
          await connectorDeps.connectors.putDraft(next, expected);
        },
      },
    };
    const principal = { kind: 'client' as const, subject: 't', tenant, scopes: ['admin'] };

    const result = await updateConnectorDraft(
      lossy,
      principal,
      { id: draft.id },
      {
        version: 1,
        actions: [{ action: 'setArtifact', projectKey, uploadId }],
      },
    );
    const upload = await (await api(`/${projectKey}/uploads/${uploadId}`, { token })).json();

    expect(result).toMatchObject({ version: 2, source: { type: 'artifact', uploadId } });
    expect(upload).toMatchObject({ status: 'consumed' });
  });
});

describe('when the workflow cannot start', () => {
  it('records the publish as Failed with the reason instead of leaving it Processing', async () => {
    const repo = repoWithTag('v1');
    const draft = await createDraft({ repository: { url: repo.url, tag: 'v1' } });
    const broken = {
      ...connectorDeps,
      workflows: {
        ...connectorDeps.workflows,
        start: async () => {
          throw Object.assign(new Error('boom'), { name: 'ServiceUnavailable' });
        },
      },
    };

    const result = await updateConnectorDraft(
      broken,
      { kind: 'client', subject: 't', tenant, scopes: [] },
      { id: draft.id },
      {
        version: 1,
        actions: [{ action: 'publish', certification: false }],
      },
    );
    const stored = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();

    expect(result.status).toBe('Failed');
    expect(stored).toMatchObject({
      status: 'Failed',
      version: 3,
      publishingReport: { entries: [{ type: 'Error', code: 'General' }] },
    });
    expect(stored.publishingReport.entries[0].message).toContain('ServiceUnavailable');
  });
});
