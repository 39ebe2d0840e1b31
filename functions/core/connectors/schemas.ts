/** The connector registry's request schemas (ConnectorStaged drafts, updates, queries). */
import * as z from 'zod';
import { Bool, Key, PageQuery, QueryInt, repeatable, Sort } from '../shared/schemas.ts';
import { IntegrationTypeSchema } from './integration-types.ts';

/** Connect's ProjectIdentifier, `{region}:{projectKey}`. */
const ProjectIdentifier = z
  .string()
  .regex(/^[a-zA-Z0-9._-]+:[A-Za-z0-9_-]{2,256}$/, "must be '<region>:<projectKey>'");

const Region = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,62}$/, 'must be a region name such as local');

const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(2048);

/**
 * A git URL. Which schemes a server accepts is configuration (file:// only where allowed),
 * checked by the use case; here only the shape, and never credentials: they would be
 * stored and shown back in every response.
 */
const GitUrl = z
  .string()
  .max(2048)
  .refine((v) => {
    try {
      const url = new URL(v);
      return url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be a URL without credentials (https://host/owner/repo.git or file:///path)');

/** A tag name git accepts and that cannot be read as an option (no leading '-'). */
const GitTag = z
  .string()
  .regex(/^[A-Za-z0-9._][A-Za-z0-9._/+-]{0,254}$/, 'must be a git tag name')
  .refine((v) => !v.includes('..') && !v.endsWith('.lock') && !v.endsWith('/'), 'must be a git tag name');

export const RepositoryInput = z.strictObject({ url: GitUrl, tag: GitTag });

const Creator = z
  .strictObject({
    name: z.string().max(256).optional(),
    title: z.string().max(256).optional(),
    email: z.email(),
    company: z.string().max(256).optional(),
    logoUrl: HttpUrl.optional(),
    noOfContributors: z.number().int().min(0).optional(),
    /** The field's earlier name, still sent by older clients. */
    noOfDevelopers: z.number().int().min(0).optional(),
    supportUrl: HttpUrl.optional(),
  })
  .transform(({ noOfDevelopers, ...creator }) =>
    creator.noOfContributors === undefined && noOfDevelopers !== undefined
      ? { ...creator, noOfContributors: noOfDevelopers }
      : creator,
  );

/** Slipway's extension: a connector built from an upload instead of a repository. */
export const ArtifactReference = z.strictObject({ projectKey: Key, uploadId: z.uuid() });

export const ConnectorStagedDraft = z
  .strictObject({
    key: Key.optional(),
    name: z.string().min(1).max(256),
    description: z.string().max(4096).optional(),
    integrationTypes: z.array(IntegrationTypeSchema).max(20).optional(),
    creator: Creator,
    repository: RepositoryInput.optional(),
    artifact: ArtifactReference.optional(),
    supportedRegions: z.array(Region).max(50).optional(),
    privateProjects: z.array(ProjectIdentifier).max(500).optional(),
    documentationUrl: HttpUrl.optional(),
  })
  .refine((d) => (d.repository === undefined) !== (d.artifact === undefined), {
    path: ['repository'],
    message: 'give exactly one of repository {url, tag} or artifact {projectKey, uploadId}',
  });
export type ConnectorStagedDraft = z.infer<typeof ConnectorStagedDraft>;

const action = <A extends string, S extends z.ZodRawShape>(name: A, shape: S) =>
  z.strictObject({ action: z.literal(name), ...shape });

/** Every update action of a ConnectorStaged, as Connect names them, plus `setArtifact`. */
export const ConnectorUpdateAction = z.discriminatedUnion('action', [
  action('setName', { name: z.string().min(1).max(256) }),
  action('setDescription', { description: z.string().max(4096) }),
  action('setIntegrationTypes', { integrationTypes: z.array(IntegrationTypeSchema).max(20) }),
  action('setDocumentationUrl', { documentationUrl: HttpUrl }),
  action('setRepository', { url: GitUrl.optional(), tag: GitTag }),
  action('setArtifact', ArtifactReference.shape),
  action('setSupportedRegions', { regions: z.array(Region).max(50) }),
  action('setCreatorName', { creatorName: z.string().max(256) }),
  action('setCreatorTitle', { creatorTitle: z.string().max(256) }),
  action('setCreatorEmail', { creatorEmail: z.email() }),
  action('setCreatorCompany', { creatorCompany: z.string().max(256) }),
  action('setCreatorLogo', { logoUrl: HttpUrl }),
  action('setCreatorNoOfContributors', { creatorNoOfContributors: z.number().int().min(0) }),
  action('setCreatorSupportUrl', { creatorSupportUrl: HttpUrl }),
  action('addPrivateProject', { privateProject: ProjectIdentifier }),
  action('removePrivateProject', { privateProject: ProjectIdentifier }),
  action('updatePreviewable', {}),
  action('publish', { certification: z.boolean().default(false) }),
]);
export type ConnectorUpdateAction = z.infer<typeof ConnectorUpdateAction>;

export const ConnectorUpdate = z.strictObject({
  version: z.number().int().min(1),
  actions: z.array(ConnectorUpdateAction).min(1).max(100),
});
export type ConnectorUpdate = z.infer<typeof ConnectorUpdate>;

const CONNECTOR_SORT_FIELDS = ['createdAt', 'lastModifiedAt', 'name', 'key', 'id'] as const;

export const ConnectorStagedQuery = z.strictObject({
  limit: PageQuery.shape.limit,
  offset: PageQuery.shape.offset,
  sort: Sort(CONNECTOR_SORT_FIELDS).optional(),
  isPrivate: Bool.optional(),
  integrationTypes: repeatable(IntegrationTypeSchema).optional(),
});
export type ConnectorStagedQuery = z.infer<typeof ConnectorStagedQuery>;

export const ConnectorSearchQuery = z.strictObject({
  text: z.string().min(1).max(256).optional(),
  limit: PageQuery.shape.limit,
  offset: PageQuery.shape.offset,
  sort: Sort(CONNECTOR_SORT_FIELDS).optional(),
  id: repeatable(z.string().max(256)).optional(),
  key: repeatable(z.string().max(256)).optional(),
  integrationTypes: repeatable(IntegrationTypeSchema).optional(),
  private: Bool.optional(),
  'creator.company': z.string().max(256).optional(),
});
export type ConnectorSearchQuery = z.infer<typeof ConnectorSearchQuery>;

/** Deletes name the version they expect, as Connect's DELETE endpoints do. */
export const VersionQuery = z.strictObject({ version: QueryInt(1, Number.MAX_SAFE_INTEGER) });
