/**
 * The publish workflow's steps (`statemachine/publish-connector.asl.json`): read the source,
 * check it, parse connect.yaml, and record the outcome on the draft, writing an immutable
 * Connector version when a publish succeeds. The same steps serve `updatePreviewable`, which
 * records whether the draft can be deployed as a preview and writes no version.
 */

import type { Clock } from '../shared/clock.ts';
import type { DomainEvents } from '../shared/domain-events.ts';
import { ConcurrentModification } from '../shared/errors.ts';
import { type ArtifactContents, readArtifact } from '../uploads/artifacts.ts';
import type { ArtifactStore, ZipReader } from '../uploads/ports.ts';
import { fetchFailureObjectKey } from './actions.ts';
import { ConnectorSourceMissing, GitRepositoryNotReachable } from './errors.ts';
import {
  type Connector,
  type ConnectorStaged,
  inspectionOf,
  type ReportEntry,
  type SourceCheck,
  type SourceCheckExecution,
  type SourceInspection,
} from './model.ts';
import type { ConnectorRepository } from './ports.ts';
import type { SpecificationParser } from './spec.ts';

export interface PublishingDeps {
  connectors: ConnectorRepository;
  artifacts: ArtifactStore;
  zip: ZipReader;
  specParser: SpecificationParser;
  clock: Clock;
  /** Where a published version is announced (`ConnectorPublished`: webhooks' `connector.published`). */
  bus: DomainEvents;
}

export type CheckResult =
  | { ok: true; inspection: SourceInspection }
  | { ok: false; code: string; message: string };

const FETCH_FAILURE_MAX_BYTES = 16 * 1024;
/** Another write can land between reading the draft and recording; recording then starts over. */
const RECORD_ATTEMPTS = 5;

/**
 * What a failed clone is reported as. git's own output stays internal: echoed back, it would
 * tell a tenant which hosts and ports the fetcher can reach. These say what to fix.
 */
const GIT_FAILURES: [RegExp, (tag: string) => string][] = [
  [
    /Remote branch .* not found|couldn't find remote ref/i,
    (tag) => `the tag '${tag}' was not found in the repository`,
  ],
  [
    /terminal prompts disabled|could not read Username|Authentication failed|403/i,
    () => 'the repository needs credentials, and Slipway sends none: use a public repository or an upload',
  ],
  [
    /not found|does not appear to be a git repository|does not exist/i,
    () => 'no repository was found at this URL',
  ],
  [/timed out/i, () => 'the clone timed out'],
];

const gitReason = (output: string, tag: string) =>
  (
    GIT_FAILURES.find(([pattern]) => pattern.test(output))?.[1] ??
    (() => 'the repository could not be reached')
  )(tag);

/**
 * Reads a check's source (the artifact-reader function): a failed clone's message, else the
 * zip checked for size, entries, paths, links and ratio, and its connect.yaml. Throws the
 * domain error that names what is wrong; the workflow records it.
 */
export const readConnectorSource = async (
  deps: Pick<PublishingDeps, 'artifacts' | 'zip'>,
  { request }: SourceCheckExecution,
): Promise<ArtifactContents> => {
  if (request.source.type === 'git') {
    const failure = await deps.artifacts.readText(
      fetchFailureObjectKey(request.objectKey),
      FETCH_FAILURE_MAX_BYTES,
    );
    if (failure !== undefined)
      throw new GitRepositoryNotReachable(
        request.source.url,
        request.source.tag,
        gitReason(failure, request.source.tag),
      );
  }
  const contents = await readArtifact(deps, request.objectKey);
  if (!contents) throw new ConnectorSourceMissing('the stored artifact is gone');
  return contents;
};

/** Parses the source's connect.yaml through the specification parser (the publisher function). */
export const inspectConnectorSource = async (
  deps: Pick<PublishingDeps, 'specParser'>,
  contents: ArtifactContents,
): Promise<SourceInspection> =>
  inspectionOf(await deps.specParser.parse(contents.connectYaml), contents.manifest);

const describeSource = (check: SourceCheck) =>
  check.source.type === 'git'
    ? `${check.source.url} at tag ${check.source.tag}`
    : `upload ${check.source.uploadId} of project ${check.source.projectKey}`;

const withInspection = (draft: ConnectorStaged, inspection: SourceInspection): ConnectorStaged => {
  const { globalConfiguration: _, apiClient: __, ...rest } = draft;
  return {
    ...rest,
    configurations: inspection.configurations,
    ...(inspection.globalConfiguration ? { globalConfiguration: inspection.globalConfiguration } : {}),
    ...(inspection.apiClient ? { apiClient: inspection.apiClient } : {}),
  };
};

const failureEntry = (check: SourceCheck, code: string, message: string, at: string): ReportEntry => ({
  type: 'Error',
  title: check.purpose === 'publish' ? 'Publishing failed' : 'The previewable check failed',
  code,
  message,
  createdAt: at,
});

/** The draft once a check's outcome is recorded (its version bumped, as every change does). */
const recorded = (
  draft: ConnectorStaged,
  check: SourceCheck,
  result: CheckResult,
  at: string,
): ConnectorStaged => {
  const done = { ...check, finishedAt: at };
  const base = { ...draft, version: draft.version + 1, lastModifiedAt: at, writeId: `recorded:${check.id}` };
  if (check.purpose === 'preview') {
    if (!result.ok) {
      const { previewObjectKey: _, ...notPreviewable } = base;
      return {
        ...notPreviewable,
        previewRequest: done,
        isPreviewable: 'false',
        previewableReport: { entries: [failureEntry(check, result.code, result.message, at)] },
      };
    }
    return {
      ...withInspection(base, result.inspection),
      previewRequest: done,
      isPreviewable: 'true',
      previewObjectKey: check.objectKey,
      previewableReport: {
        entries: [
          {
            type: 'Information',
            title: 'Previewable',
            message: `The source (${describeSource(check)}) passed every check; deploy it with connector.staged: true.`,
            createdAt: at,
          },
        ],
      },
    };
  }
  if (!result.ok) {
    return {
      ...base,
      publishRequest: done,
      status: 'Failed',
      publishingReport: { entries: [failureEntry(check, result.code, result.message, at)] },
    };
  }
  const version = (draft.publishedVersion ?? 0) + 1;
  const entries: ReportEntry[] = [
    {
      type: 'Information',
      title: 'Published',
      message: `Connector version ${version} was published from ${describeSource(check)}.`,
      createdAt: at,
    },
  ];
  if (check.certification) {
    entries.push({
      type: 'Information',
      title: 'Certified',
      message: "Certified by this server's automated checks and listed for every tenant of the server.",
      createdAt: at,
    });
  }
  return {
    ...withInspection(base, result.inspection),
    publishRequest: done,
    status: 'Published',
    publishingReport: { entries },
    publishedVersion: version,
    certified: check.certification,
    hasChanges: false,
  };
};

/** The immutable version a successful publish writes, from the draft as recorded. */
const connectorVersion = (draft: ConnectorStaged, check: SourceCheck, at: string): Connector => ({
  id: draft.id,
  tenant: draft.tenant,
  ...(draft.key === undefined ? {} : { key: draft.key }),
  version: draft.publishedVersion ?? 1,
  name: draft.name,
  ...(draft.description ? { description: draft.description } : {}),
  integrationTypes: draft.integrationTypes,
  creator: draft.creator,
  source: check.source,
  objectKey: check.objectKey,
  configurations: draft.configurations,
  ...(draft.globalConfiguration ? { globalConfiguration: draft.globalConfiguration } : {}),
  ...(draft.apiClient ? { apiClient: draft.apiClient } : {}),
  private: !check.certification,
  privateProjects: draft.privateProjects,
  supportedRegions: draft.supportedRegions,
  certified: check.certification,
  ...(draft.documentationUrl ? { documentationUrl: draft.documentationUrl } : {}),
  createdAt: at,
  lastModifiedAt: at,
});

/**
 * Records a check's outcome on the draft, once: a check that is no longer the draft's current
 * one (finished, superseded, or the draft deleted) changes nothing, so a retried step is
 * harmless. Returns the draft as recorded, or undefined when there was nothing to record.
 */
export const finishCheck = async (
  // The registry records only failures, which announce nothing: it has no bus to give.
  deps: Pick<PublishingDeps, 'connectors' | 'clock'> & Partial<Pick<PublishingDeps, 'bus'>>,
  { tenant, connectorId, request }: SourceCheckExecution,
  result: CheckResult,
): Promise<ConnectorStaged | undefined> => {
  for (let attempt = 1; ; attempt++) {
    const draft = await deps.connectors.getDraft(tenant, connectorId);
    const current = request.purpose === 'publish' ? draft?.publishRequest : draft?.previewRequest;
    if (!draft || current?.id !== request.id || current.finishedAt !== undefined) return undefined;

    const at = deps.clock.now().toISOString();
    const next = recorded(draft, request, result, at);
    try {
      if (request.purpose === 'publish' && result.ok) {
        const version = connectorVersion(next, request, at);
        await deps.connectors.publish(next, draft.version, version);
        await deps.bus?.publish({
          type: 'ConnectorPublished',
          tenant: version.tenant,
          connectorId: version.id,
          ...(version.key === undefined ? {} : { connectorKey: version.key }),
          version: version.version,
          at,
        });
      } else await deps.connectors.putDraft(next, draft.version);
      return next;
    } catch (error) {
      if (!(error instanceof ConcurrentModification)) throw error;
      // Not a verdict on the source: the workflow must retry this, not report it as a failure.
      if (attempt >= RECORD_ATTEMPTS)
        throw new Error(`The draft kept changing while the outcome was recorded (${attempt} attempts)`, {
          cause: error,
        });
    }
  }
};
