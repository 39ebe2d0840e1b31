import { Cron } from 'croner';
import * as z from 'zod';
import { INTEGRATION_TYPES } from './connector-model.ts';
import { DEPLOYMENT_TYPES } from './deployment-model.ts';
import { MAX_UPLOAD_TTL_SECONDS } from './uploads.ts';

/** Connect's key rule, shared by projects, deployments and connectors. */
export const Key = z.string().regex(/^[A-Za-z0-9_-]{2,256}$/, 'must be 2-256 characters of [A-Za-z0-9_-]');

/** First path segments the API itself uses: a project with such a key could not be addressed. */
const RESERVED_PROJECT_KEYS = new Set([
  'projects',
  'connectors',
  'oauth',
  'health',
  'stores',
  'openapi.json',
]);

export const ProjectDraft = z.strictObject({
  key: Key.refine((k) => !RESERVED_PROJECT_KEYS.has(k.toLowerCase()), "is reserved by the API's own paths"),
  name: z.string().min(1).max(256).optional(),
  /** Slipway: the project's deployments fail on a failing postDeploy unless they say otherwise. */
  strictScripts: z.boolean().optional(),
});
export type ProjectDraft = z.infer<typeof ProjectDraft>;

/** A whole number in a query string, with errors that say what is wrong (not "received NaN"). */
const QueryInt = (min: number, max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a whole number') })
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .meta({ description: `a whole number from ${min} to ${max}` });

/** Connect paging: limit (default 20, max 500), offset (max 10000), plus Slipway's opaque cursor. */
export const PageQuery = z.strictObject({
  limit: QueryInt(1, 500).default(20),
  offset: QueryInt(0, 10_000).default(0),
  cursor: z.string().min(1).max(2048).optional(),
});

export const TokenRequest = z.object({
  grant_type: z.string().optional(),
  scope: z.string().max(4096).optional(),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
});

/** SHA-256 as S3 wants it (base64), accepted as base64 or hex. */
const Sha256 = z
  .string()
  .regex(
    /^([A-Fa-f0-9]{64}|[A-Za-z0-9+/]{43}=)$/,
    'must be a SHA-256 digest, base64 (44 characters) or hex (64)',
  )
  .transform((v) => (v.length === 64 ? Buffer.from(v, 'hex').toString('base64') : v));

export const UploadDraft = z.strictObject({
  contentType: z.literal('application/zip', { error: "must be 'application/zip'" }).optional(),
  size: z.number().int().min(1).optional(),
  sha256: Sha256.optional(),
  expiresInSeconds: z.number().int().min(60).max(MAX_UPLOAD_TTL_SECONDS).optional(),
});
export type UploadDraft = z.infer<typeof UploadDraft>;

/** A query parameter that may be repeated (`sort=a&sort=b`): always an array after parsing. */
const repeatable = <T extends z.ZodType>(item: T) =>
  z.union([item, z.array(item)]).transform((v): z.output<T>[] => (Array.isArray(v) ? v : [v]));

export interface SortKey {
  field: string;
  direction: 'asc' | 'desc';
}

/** Connect's `sort=<field> <asc|desc>`, repeatable, over the fields a listing allows. */
const Sort = (fields: readonly [string, ...string[]]) =>
  repeatable(
    z
      .string()
      .regex(
        new RegExp(`^(${fields.join('|')})(\\s+(asc|desc))?$`),
        `must be '<field> asc|desc' with a field among ${fields.join(', ')}`,
      )
      .transform((s): SortKey => {
        const [field = '', direction] = s.trim().split(/\s+/);
        return { field, direction: direction === 'desc' ? 'desc' : 'asc' };
      }),
  );

const Bool = z.enum(['true', 'false']).transform((v) => v === 'true');

const IntegrationTypeSchema = z.enum(INTEGRATION_TYPES);

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

/** A configuration key as connect.yaml declares them; values are environment variables. */
const ConfigurationValueInput = z.strictObject({
  key: z.string().regex(/^[A-Za-z0-9_]{1,256}$/, 'must be 1-256 characters of [A-Za-z0-9_]'),
  value: z.string().max(32_768),
});

const uniqueBy =
  <T>(pick: (item: T) => string, what: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const [i, item] of items.entries()) {
      const value = pick(item);
      if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [i], message: `repeats ${what} '${value}'` });
      seen.add(value);
    }
  };

const configurationValues = (value: z.ZodString) =>
  z
    .array(ConfigurationValueInput.extend({ value }))
    .max(200)
    .superRefine(uniqueBy((v) => v.key, 'the key'));

/** An empty secret is a mistake, not a value. */
export const ConfigurationInput = z.strictObject({
  standardConfiguration: configurationValues(ConfigurationValueInput.shape.value).default([]),
  securedConfiguration: configurationValues(ConfigurationValueInput.shape.value.min(1)).default([]),
});
export type ConfigurationInput = z.infer<typeof ConfigurationInput>;

/**
 * A cron expression: five fields, or six with seconds first. Checked by the same parser the
 * local scheduler uses (`croner`), so a schedule that cannot run is refused here, naming the
 * field, rather than failing the deployment later.
 */
export const CronSchedule = z
  .string()
  .max(128)
  .regex(/^\S+(\s+\S+){4,5}$/, 'must be a cron expression of 5 fields (or 6, seconds first)')
  .superRefine((expression, ctx) => {
    try {
      new Cron(expression, { paused: true, mode: '5-or-6-parts' }).stop();
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `is not a valid cron expression (${(error as Error).message})`,
      });
    }
  });

export const ApplicationConfigurationInput = ConfigurationInput.extend({
  applicationName: z.string().min(1).max(256),
  /** Slipway: a job application's schedule, instead of the one connect.yaml declares. */
  schedule: CronSchedule.optional(),
});
export type ApplicationConfigurationInput = z.infer<typeof ApplicationConfigurationInput>;

const ApplicationConfigurations = z
  .array(ApplicationConfigurationInput)
  .max(50)
  .superRefine(uniqueBy((a) => a.applicationName, 'the application'));

export const ConnectorReferenceInput = z
  .strictObject({
    id: z.string().min(1).max(256).optional(),
    key: z.string().min(1).max(256).optional(),
    version: z.number().int().min(1).optional(),
    staged: z.boolean().default(false),
  })
  .refine((r) => (r.id === undefined) !== (r.key === undefined), {
    message: 'give exactly one of id or key',
  });
export type ConnectorReferenceInput = z.infer<typeof ConnectorReferenceInput>;

/**
 * Connect's DeploymentDraft, plus Slipway's `artifact: {uploadId}` instead of `connector`: an
 * upload of the project deployed directly (what the BigCommerce dialect does).
 */
export const DeploymentDraft = z
  .strictObject({
    key: Key.optional(),
    type: z.enum(DEPLOYMENT_TYPES).optional(),
    connector: ConnectorReferenceInput.optional(),
    artifact: z.strictObject({ uploadId: z.uuid() }).optional(),
    configurations: ApplicationConfigurations.default([]),
    globalConfiguration: ConfigurationInput.optional(),
    region: z.string().min(1).max(64),
    /** Slipway: a failing `postDeploy` fails the deployment instead of leaving a Warning. */
    strictScripts: z.boolean().optional(),
  })
  .refine((d) => (d.connector === undefined) !== (d.artifact === undefined), {
    path: ['connector'],
    message: 'give exactly one of connector {id|key, version?, staged?} or artifact {uploadId}',
  });
export type DeploymentDraft = z.infer<typeof DeploymentDraft>;

export const RedeployAction = z.strictObject({
  action: z.literal('redeploy'),
  skipScripts: z.boolean().default(false),
  configurationValues: ApplicationConfigurations.optional(),
  globalConfiguration: ConfigurationInput.optional(),
  updateConnector: z.boolean().default(false),
  strictScripts: z.boolean().optional(),
});
export type RedeployAction = z.infer<typeof RedeployAction>;

/** DELETE's query: Slipway's `skipScripts=true` undeploys without running preUndeploy scripts. */
export const DeploymentDeleteQuery = z.strictObject({
  skipScripts: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export type DeploymentDeleteQuery = z.infer<typeof DeploymentDeleteQuery>;

/** Slipway: stop a Queued or Deploying deployment; it ends Failed with a "Canceled" entry. */
export const CancelAction = z.strictObject({ action: z.literal('cancel') });

/** Connect's update action is `redeploy`; Slipway adds `cancel`. One action per update. */
export const DeploymentUpdate = z.strictObject({
  version: z.number().int().min(1),
  actions: z.tuple([z.discriminatedUnion('action', [RedeployAction, CancelAction])], {
    error: 'must hold exactly one action: redeploy or cancel',
  }),
});
export type DeploymentUpdate = z.infer<typeof DeploymentUpdate>;

/**
 * Sorting follows the table's order: `createdAt` (ids are time-ordered, so `id` sorts the
 * same) and `key` (an index). The first `sort` decides; both orders are unique, so later
 * ones never break a tie.
 */
export const DeploymentQuery = z.strictObject({
  limit: PageQuery.shape.limit,
  offset: PageQuery.shape.offset,
  cursor: PageQuery.shape.cursor,
  sort: Sort(['createdAt', 'id', 'key']).optional(),
  integrationTypes: repeatable(IntegrationTypeSchema).optional(),
  deploymentType: z.enum(DEPLOYMENT_TYPES).optional(),
});
export type DeploymentQuery = z.infer<typeof DeploymentQuery>;

/** Connect's log query, plus `limit` (Slipway's; the page size, 100 by default). */
export const DeploymentLogQuery = z.strictObject({
  pageToken: z.string().min(1).max(2048).optional(),
  applicationName: z.string().min(1).max(256).optional(),
  startDate: z.string().max(64).optional(),
  endDate: z.string().max(64).optional(),
  limit: QueryInt(1, 500).default(100),
});
export type DeploymentLogQuery = z.infer<typeof DeploymentLogQuery>;
