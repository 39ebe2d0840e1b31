import { describe, expect, it } from 'vitest';
import {
  type ActionContext,
  applyDraftActions,
  CHECK_STALE_AFTER_MS,
  checkRepository,
} from '../../functions/core/connectors/actions.ts';
import type { ConnectorStaged } from '../../functions/core/connectors/model.ts';
import { sortAndPage } from '../../functions/core/shared/listing.ts';

const NOW = new Date('2026-11-23T12:00:00Z');
let ids = 0;
const ctx = (now = NOW, allowFileRepositories = false): ActionContext => ({
  now,
  allowFileRepositories,
  newRequestId: () => `req-${++ids}`,
});

const draft = (overrides: Partial<ConnectorStaged> = {}): ConnectorStaged => ({
  id: 'c1',
  tenant: 't1',
  version: 4,
  name: 'Connector',
  description: '',
  integrationTypes: [],
  creator: { email: 'dev@example.com' },
  source: { type: 'git', url: 'https://git.example.com/r.git', tag: 'v1' },
  configurations: [],
  privateProjects: [],
  supportedRegions: [],
  status: 'Draft',
  isPreviewable: 'none',
  certified: false,
  hasChanges: false,
  writeId: 'w0',
  createdAt: NOW.toISOString(),
  lastModifiedAt: NOW.toISOString(),
  ...overrides,
});

const upload = { projectKey: 'shop', uploadId: '11111111-1111-4111-8111-111111111111' };

describe('draft update actions', () => {
  it("clears the last attempt's failed report when a new publish starts", () => {
    const failed = draft({
      status: 'Failed',
      publishingReport: {
        entries: [{ type: 'Error', title: 'GitRepositoryNotReachable', createdAt: NOW.toISOString() }],
      },
    });

    const { draft: next } = applyDraftActions(failed, [{ action: 'publish', certification: false }], ctx());

    expect(next.status).toBe('Processing');
    expect(next).not.toHaveProperty('publishingReport');
  });

  it('puts a publish in Processing with a check that archives the git tag under the connector', () => {
    const { draft: next, checks } = applyDraftActions(
      draft(),
      [{ action: 'publish', certification: true }],
      ctx(),
    );

    expect(next).toMatchObject({ status: 'Processing', version: 5, hasChanges: false });
    expect(checks).toEqual([
      {
        id: next.publishRequest?.id,
        purpose: 'publish',
        certification: true,
        source: draft().source,
        objectKey: `connectors/c1/sources/${next.publishRequest?.id}.zip`,
        requestedAt: NOW.toISOString(),
      },
    ]);
  });

  it('refuses a second publish while one runs, until the first is considered dead', () => {
    const { draft: publishing } = applyDraftActions(
      draft(),
      [{ action: 'publish', certification: false }],
      ctx(),
    );
    const later = new Date(NOW.getTime() + CHECK_STALE_AFTER_MS + 1);

    expect(() => applyDraftActions(publishing, [{ action: 'publish', certification: false }], ctx())).toThrow(
      expect.objectContaining({ code: 'ConnectorStagedPublishRequestUnderProcess' }),
    );
    expect(
      applyDraftActions(publishing, [{ action: 'publish', certification: false }], ctx(later)).checks,
    ).toHaveLength(1);
  });

  it('refuses a source change while a publish or a previewable check runs', () => {
    const { draft: publishing } = applyDraftActions(
      draft(),
      [{ action: 'publish', certification: false }],
      ctx(),
    );
    const { draft: previewing } = applyDraftActions(draft(), [{ action: 'updatePreviewable' }], ctx());

    expect(() => applyDraftActions(publishing, [{ action: 'setRepository', tag: 'v2' }], ctx())).toThrow(
      expect.objectContaining({ code: 'ConnectorStagedPublishRequestUnderProcess' }),
    );
    expect(() => applyDraftActions(previewing, [{ action: 'setArtifact', ...upload }], ctx())).toThrow(
      expect.objectContaining({ code: 'ConnectorStagedPreviewRequestUnderProcess' }),
    );
    expect(() => applyDraftActions(previewing, [{ action: 'updatePreviewable' }], ctx())).toThrow(
      expect.objectContaining({ code: 'ConnectorStagedPreviewRequestUnderProcess' }),
    );
    expect(
      applyDraftActions(publishing, [{ action: 'setName', name: 'metadata is fine' }], ctx()).draft.name,
    ).toBe('metadata is fine');
  });

  it('consumes only the artifact the draft ends with, and publishes that one', () => {
    const first = { projectKey: 'shop', uploadId: '22222222-2222-4222-8222-222222222222' };

    const {
      upload: consumed,
      checks,
      draft: next,
    } = applyDraftActions(
      draft({ isPreviewable: 'true', previewObjectKey: 'old.zip' }),
      [
        { action: 'setArtifact', ...first },
        { action: 'setArtifact', ...upload },
        { action: 'publish', certification: false },
      ],
      ctx(),
    );

    const objectKey = `connectors/c1/artifacts/${upload.uploadId}.zip`;
    expect(consumed).toEqual({ type: 'artifact', ...upload, objectKey });
    expect(checks[0]?.objectKey).toBe(objectKey);
    expect(next).toMatchObject({ isPreviewable: 'none', hasChanges: true });
    expect(next.previewObjectKey).toBeUndefined();
  });

  it('marks changes against the published connector, but not for publish or previewable requests', () => {
    expect(applyDraftActions(draft(), [{ action: 'updatePreviewable' }], ctx()).draft.hasChanges).toBe(false);
    expect(
      applyDraftActions(draft(), [{ action: 'setDescription', description: 'x' }], ctx()).draft.hasChanges,
    ).toBe(true);
  });

  it('keeps private projects and integration types free of duplicates', () => {
    const { draft: next } = applyDraftActions(
      draft(),
      [
        { action: 'addPrivateProject', privateProject: 'local:a' },
        { action: 'addPrivateProject', privateProject: 'local:a' },
        { action: 'setIntegrationTypes', integrationTypes: ['psp', 'psp', 'tax'] },
      ],
      ctx(),
    );

    expect(next.privateProjects).toEqual(['local:a']);
    expect(next.integrationTypes).toEqual(['psp', 'tax']);
  });
});

describe('repository policy', () => {
  it.each([
    ['https://git.example.com/r.git', false, true],
    ['http://git.internal/r.git', false, true],
    ['file:///srv/repos/r', false, false],
    ['file:///srv/repos/r', true, true],
    ['ssh://git@host/r.git', true, false],
  ])('%s with file repositories allowed=%s is accepted: %s', (url, allowFileRepositories, accepted) => {
    const check = () => checkRepository({ url, tag: 'v1' }, { allowFileRepositories }, 'repository.url');

    if (accepted) expect(check()).toEqual({ url, tag: 'v1' });
    else expect(check).toThrow(expect.objectContaining({ code: 'InvalidJsonInput' }));
  });
});

describe('in-memory listings', () => {
  const items = [
    { id: 'b', name: 'x', createdAt: '2', key: undefined },
    { id: 'a', name: 'x', createdAt: '1', key: 'k1' },
    { id: 'c', name: 'w', createdAt: '3', key: 'k0' },
  ];
  const fields = { name: (i: (typeof items)[number]) => i.name, key: (i: (typeof items)[number]) => i.key };

  it('sorts descending, breaking ties by id, and pages', () => {
    const page = sortAndPage(
      items,
      { limit: 2, offset: 1, sort: [{ field: 'name', direction: 'desc' }] },
      fields,
    );

    expect(page).toEqual({ results: [items[0], items[2]], total: 3 });
    expect(
      sortAndPage(
        items,
        { limit: 9, offset: 0, sort: [{ field: 'name', direction: 'desc' }] },
        fields,
      ).results.map((i) => i.id),
    ).toEqual(['a', 'b', 'c']);
  });

  it('puts items without the sort field last', () => {
    const page = sortAndPage(
      items,
      { limit: 9, offset: 0, sort: [{ field: 'key', direction: 'asc' }] },
      fields,
    );

    expect(page.results.map((i) => i.id)).toEqual(['c', 'a', 'b']);
  });
});
