/**
 * The rules of a ConnectorStaged's update actions, as pure functions: given a draft and the
 * actions, the new draft, the uploads it now needs and the checks (publish, previewable) to
 * start. No I/O here; `connectors.ts` performs the effects.
 */

import { InvalidJsonInput } from '../shared/errors.ts';
import {
  ConnectorStagedPreviewRequestUnderProcess,
  ConnectorStagedPublishRequestUnderProcess,
} from './errors.ts';
import type {
  ConnectorSource,
  ConnectorStaged,
  Repository,
  SourceCheck,
  SourceCheckPurpose,
} from './model.ts';
import type { ConnectorUpdateAction } from './schemas.ts';

/**
 * A check whose workflow has not reported after this long is treated as dead (its execution
 * timed out, or a local restart forgot it), so the draft can be published again. Longer than
 * the publish workflow's own timeout (two hours: every step's retries through a dependency's
 * outage fit in it; a test holds the two together).
 */
export const CHECK_STALE_AFTER_MS = 125 * 60 * 1000;

export interface SourcePolicy {
  /** file:// repositories read the server's own disk: allowed locally, off on shared servers. */
  allowFileRepositories: boolean;
}

export interface ActionContext extends SourcePolicy {
  now: Date;
  newRequestId: () => string;
}

export interface UploadToConsume {
  projectKey: string;
  uploadId: string;
  objectKey: string;
}

export interface ActionOutcome {
  draft: ConnectorStaged;
  /** The upload the new draft refers to, to consume (and copy) before it is written. */
  upload?: UploadToConsume;
  /** Workflows to start once the draft is written. */
  checks: SourceCheck[];
}

/** Where a connector keeps the copy of an upload it consumed. */
export const artifactObjectKey = (connectorId: string, uploadId: string) =>
  `connectors/${connectorId}/artifacts/${uploadId}.zip`;

/** Where the workflow archives a git checkout for one check. */
export const gitArchiveObjectKey = (connectorId: string, checkId: string) =>
  `connectors/${connectorId}/sources/${checkId}.zip`;

/**
 * Where the source fetcher leaves git's own words when the clone fails, beside the archive
 * that was not written. The fetch task itself succeeds, so the message reaches the report the
 * same way from CodeBuild and from the local runtime.
 */
export const fetchFailureObjectKey = (archiveKey: string) => `${archiveKey}.error`;

const ALLOWED_SCHEMES = new Set(['https:', 'http:']);

/** Checks a repository URL against the server's policy; `field` names it in the error. */
export const checkRepository = (repository: Repository, policy: SourcePolicy, field: string): Repository => {
  const { protocol } = new URL(repository.url);
  if (!ALLOWED_SCHEMES.has(protocol) && !(protocol === 'file:' && policy.allowFileRepositories)) {
    const allowed = policy.allowFileRepositories ? 'https://, http:// or file://' : 'https:// or http://';
    throw new InvalidJsonInput(`${field}: must be a ${allowed} URL`, field);
  }
  return repository;
};

export const artifactSource = (connectorId: string, ref: { projectKey: string; uploadId: string }) => ({
  type: 'artifact' as const,
  projectKey: ref.projectKey,
  uploadId: ref.uploadId,
  objectKey: artifactObjectKey(connectorId, ref.uploadId),
});

const isRunning = (check: SourceCheck | undefined, now: Date): boolean =>
  check !== undefined &&
  check.finishedAt === undefined &&
  now.getTime() - Date.parse(check.requestedAt) < CHECK_STALE_AFTER_MS;

const assertSourceEditable = (draft: ConnectorStaged, now: Date) => {
  if (isRunning(draft.publishRequest, now)) throw new ConnectorStagedPublishRequestUnderProcess(draft.id);
  if (isRunning(draft.previewRequest, now)) throw new ConnectorStagedPreviewRequestUnderProcess(draft.id);
};

const newCheck = (
  draft: ConnectorStaged,
  purpose: SourceCheckPurpose,
  certification: boolean,
  ctx: ActionContext,
): SourceCheck => {
  const id = ctx.newRequestId();
  return {
    id,
    purpose,
    certification,
    source: draft.source,
    objectKey: draft.source.type === 'artifact' ? draft.source.objectKey : gitArchiveObjectKey(draft.id, id),
    requestedAt: ctx.now.toISOString(),
  };
};

/** A new source invalidates the last previewable result, which was about the old one. */
const withSource = (draft: ConnectorStaged, source: ConnectorSource): ConnectorStaged => {
  const { previewObjectKey: _, previewableReport: __, ...rest } = draft;
  return { ...rest, source, isPreviewable: 'none' };
};

const setCreator = (draft: ConnectorStaged, patch: Partial<ConnectorStaged['creator']>): ConnectorStaged => ({
  ...draft,
  creator: { ...draft.creator, ...patch },
});

/**
 * Applies the actions in order, as Connect does: all of them or none. The version goes up by
 * one for the whole update.
 */
export const applyDraftActions = (
  draft: ConnectorStaged,
  actions: ConnectorUpdateAction[],
  ctx: ActionContext,
): ActionOutcome => {
  let next: ConnectorStaged = draft;
  let setArtifact = false;
  const checks: SourceCheck[] = [];
  let changed = false;

  for (const [i, action] of actions.entries()) {
    switch (action.action) {
      case 'setName':
        next = { ...next, name: action.name };
        break;
      case 'setDescription':
        next = { ...next, description: action.description };
        break;
      case 'setIntegrationTypes':
        next = { ...next, integrationTypes: [...new Set(action.integrationTypes)] };
        break;
      case 'setDocumentationUrl':
        next = { ...next, documentationUrl: action.documentationUrl };
        break;
      case 'setSupportedRegions':
        next = { ...next, supportedRegions: [...new Set(action.regions)] };
        break;
      case 'setCreatorName':
        next = setCreator(next, { name: action.creatorName });
        break;
      case 'setCreatorTitle':
        next = setCreator(next, { title: action.creatorTitle });
        break;
      case 'setCreatorEmail':
        next = setCreator(next, { email: action.creatorEmail });
        break;
      case 'setCreatorCompany':
        next = setCreator(next, { company: action.creatorCompany });
        break;
      case 'setCreatorLogo':
        next = setCreator(next, { logoUrl: action.logoUrl });
        break;
      case 'setCreatorNoOfContributors':
        next = setCreator(next, { noOfContributors: action.creatorNoOfContributors });
        break;
      case 'setCreatorSupportUrl':
        next = setCreator(next, { supportUrl: action.creatorSupportUrl });
        break;
      case 'addPrivateProject':
        if (!next.privateProjects.includes(action.privateProject))
          next = { ...next, privateProjects: [...next.privateProjects, action.privateProject] };
        break;
      case 'removePrivateProject':
        next = { ...next, privateProjects: next.privateProjects.filter((p) => p !== action.privateProject) };
        break;
      case 'setRepository': {
        assertSourceEditable(next, ctx.now);
        const url = action.url ?? (next.source.type === 'git' ? next.source.url : undefined);
        if (url === undefined) {
          throw new InvalidJsonInput(
            `actions.${i}.url: required, the connector has no repository yet`,
            `actions.${i}.url`,
          );
        }
        const repository = checkRepository({ url, tag: action.tag }, ctx, `actions.${i}.url`);
        next = withSource(next, { type: 'git', ...repository });
        break;
      }
      case 'setArtifact': {
        assertSourceEditable(next, ctx.now);
        setArtifact = true;
        next = withSource(next, artifactSource(next.id, action));
        break;
      }
      case 'publish': {
        if (isRunning(next.publishRequest, ctx.now))
          throw new ConnectorStagedPublishRequestUnderProcess(next.id);
        const check = newCheck(next, 'publish', action.certification, ctx);
        checks.push(check);
        // A new attempt's report starts empty: the last attempt's entries describe another source.
        const { publishingReport: _, ...rest } = next;
        next = { ...rest, status: 'Processing', publishRequest: check };
        continue;
      }
      case 'updatePreviewable': {
        if (isRunning(next.previewRequest, ctx.now))
          throw new ConnectorStagedPreviewRequestUnderProcess(next.id);
        const check = newCheck(next, 'preview', false, ctx);
        checks.push(check);
        const { previewableReport: _, ...rest } = next;
        next = { ...rest, isPreviewable: 'pending', previewRequest: check };
        continue;
      }
    }
    changed = true;
  }

  return {
    draft: {
      ...next,
      hasChanges: next.hasChanges || changed,
      version: draft.version + 1,
      lastModifiedAt: ctx.now.toISOString(),
      writeId: ctx.newRequestId(),
    },
    // Only the artifact the draft ends up with is consumed; one replaced in the same update is not.
    ...(setArtifact && next.source.type === 'artifact' ? { upload: next.source } : {}),
    checks,
  };
};
