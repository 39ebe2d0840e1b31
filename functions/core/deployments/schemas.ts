/** The deployments' request schemas (drafts, redeploy and cancel, queries). */
import { Cron } from 'croner';
import * as z from 'zod';
import { IntegrationTypeSchema } from '../connectors/integration-types.ts';
import { Key, PageQuery, QueryInt, repeatable, Sort } from '../shared/schemas.ts';
import { DEPLOYMENT_TYPES } from './model.ts';

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

/**
 * Connect's redeploy action, plus Slipway's `artifact: {uploadId}`: the deployment's build
 * comes from that upload of the project instead of its connector (a folder deployed again).
 */
export const RedeployAction = z
  .strictObject({
    action: z.literal('redeploy'),
    skipScripts: z.boolean().default(false),
    configurationValues: ApplicationConfigurations.optional(),
    globalConfiguration: ConfigurationInput.optional(),
    updateConnector: z.boolean().default(false),
    strictScripts: z.boolean().optional(),
    artifact: z.strictObject({ uploadId: z.uuid() }).optional(),
  })
  .refine((a) => !(a.updateConnector && a.artifact), {
    path: ['artifact'],
    message: 'give either updateConnector or artifact {uploadId}, not both',
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

/**
 * Connect's DeploymentRollback draft: the deployment's current version and the revision to
 * restore. Slipway adds `runScripts`: a rollback runs no postDeploy unless asked.
 */
export const DeploymentRollback = z.strictObject({
  version: z.number().int().min(1),
  revision: z.number().int().min(1),
  runScripts: z.boolean().default(false),
});
export type DeploymentRollback = z.infer<typeof DeploymentRollback>;

/** Revisions are paged like Connect's other queries (limit, offset), most recent first. */
export const DeploymentRevisionQuery = z.strictObject({
  limit: PageQuery.shape.limit,
  offset: PageQuery.shape.offset,
});
export type DeploymentRevisionQuery = z.infer<typeof DeploymentRevisionQuery>;
