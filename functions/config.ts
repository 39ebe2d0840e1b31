/**
 * Configuration read from the environment, through getters that fail loudly when a
 * required value is missing. The same names are set by the CDK stack on AWS and by
 * `functions/local/stack.ts` locally.
 */

const required = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`Missing required environment variable ${name}`);
  return value;
};

const flag = (name: string): boolean => {
  const raw = process.env[name];
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new Error(`${name} must be 'true' or 'false', got '${raw}'`);
};

const integer = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return value;
};

/** A positive integer no larger than `max`. */
const bounded = (name: string, fallback: number, max: number): number => {
  const value = integer(name, fallback);
  if (value > max) throw new Error(`${name} must be at most ${max}, got '${process.env[name]}'`);
  return value;
};

export const config = {
  get tableName(): string {
    return required('SLIPWAY_TABLE_NAME');
  },
  get bucketName(): string {
    return required('SLIPWAY_BUCKET_NAME');
  },
  get deployStateMachineArn(): string {
    return required('SLIPWAY_DEPLOY_STATE_MACHINE_ARN');
  },
  get undeployStateMachineArn(): string {
    return required('SLIPWAY_UNDEPLOY_STATE_MACHINE_ARN');
  },
  /**
   * The regions this server deploys to (Connect's `region`), comma-separated: set by the
   * stacks (by default `local` or `<aws-region>.aws`, and the regions Connect's clients offer).
   */
  get regions(): string[] {
    return required('SLIPWAY_REGIONS')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean);
  },
  /** Local secured-configuration key (AES-256, base64) where there is no KMS. */
  get secretsKey(): string {
    return required('SLIPWAY_SECRETS_KEY');
  },
  /** The KMS key for secured configuration on AWS; when set, KMS is used instead of the local key. */
  get kmsKeyId(): string | undefined {
    return process.env.SLIPWAY_KMS_KEY_ID || undefined;
  },
  /** On AWS: the stack's EventBridge bus domain events go to; unset, they stay in process (`npm start`). */
  get eventBusName(): string | undefined {
    return process.env.SLIPWAY_EVENT_BUS_NAME || undefined;
  },
  get publishStateMachineArn(): string {
    return required('SLIPWAY_PUBLISH_STATE_MACHINE_ARN');
  },
  /**
   * Whether connectors may come from `file://` repositories, which read the server's own
   * disk. On for `npm start` (one user, their own machine), off by default elsewhere.
   */
  get allowFileRepositories(): boolean {
    return flag('SLIPWAY_ALLOW_FILE_REPOSITORIES');
  },
  /** On AWS: the Secrets Manager secret holding the access-token key (see `configuredJwtKey`). */
  get jwtSecretArn(): string | undefined {
    return process.env.SLIPWAY_JWT_SECRET_ARN || undefined;
  },
  /** HS256 signing key for access tokens, base64. Locally generated once into the data dir. */
  get jwtKey(): string {
    return required('SLIPWAY_JWT_KEY');
  },
  /** Lifetime of tokens from `POST /oauth/token` (commercetools uses 48 h). */
  get tokenTtlSeconds(): number {
    return integer('SLIPWAY_TOKEN_TTL_SECONDS', 172_800);
  },
  /** Largest artifact an upload may hold (checked when it is consumed; local S3 enforces no POST policy). */
  get maxUploadBytes(): number {
    return integer('SLIPWAY_MAX_UPLOAD_BYTES', 64 * 1024 * 1024);
  },
  /** Default lifetime of a presigned upload URL (the use case caps it at an hour). */
  get uploadTtlSeconds(): number {
    return integer('SLIPWAY_UPLOAD_TTL_SECONDS', 900);
  },
  /** How long a deployment's event stream stays open before the client reconnects (BigCommerce: 30 s). */
  get eventStreamSeconds(): number {
    return integer('SLIPWAY_EVENT_STREAM_SECONDS', 30);
  },
  /** How long a log tail stays open (BigCommerce: 60 s). */
  get logTailSeconds(): number {
    return integer('SLIPWAY_LOG_TAIL_SECONDS', 60);
  },
  /** After how many quiet seconds a stream repeats its current state, so proxies keep it open. */
  get streamKeepAliveSeconds(): number {
    return integer('SLIPWAY_STREAM_KEEPALIVE_SECONDS', 15);
  },
  /** How often a stream looks for what is new (a DynamoDB query each time). */
  get streamPollMs(): number {
    return integer('SLIPWAY_STREAM_POLL_MS', 1_000);
  },
  /**
   * Whether `x-forwarded-host` names this server's public host: true only behind a proxy that
   * sets it (the CloudFront distribution on AWS). Off, a client's header is ignored.
   */
  get trustForwardedHost(): boolean {
    return flag('SLIPWAY_TRUST_FORWARDED_HOST');
  },
  /**
   * How long one attempt of a call to a dependency (DynamoDB, S3, Step Functions) may take; a
   * call makes two attempts before it counts as unavailable (a 503 with Retry-After, or a
   * retried workflow step), so a stalled dependency is given up on after twice this.
   */
  get dependencyTimeoutMs(): number {
    return integer('SLIPWAY_DEPENDENCY_TIMEOUT_MS', 5_000);
  },
  get healthCacheMs(): number {
    return integer('SLIPWAY_HEALTH_CACHE_MS', 2_000);
  },
  /** Where builds extract and build applications (the data dir locally, the CodeBuild container on AWS). */
  get workspaceDir(): string {
    return required('SLIPWAY_WORKSPACE_DIR');
  },
  /** Time limit of one application's build (install and `npm run build` together). */
  get buildTimeoutSeconds(): number {
    return integer('SLIPWAY_BUILD_TIMEOUT_SECONDS', 600);
  },
  /** Time limit of one postDeploy or preUndeploy script. */
  get scriptTimeoutSeconds(): number {
    return integer('SLIPWAY_SCRIPT_TIMEOUT_SECONDS', 300);
  },
  /** The local hosting service of `npm start` (child processes); unset on AWS, where Lambda hosts. */
  get localHostingUrl(): string | undefined {
    return process.env.SLIPWAY_LOCAL_HOSTING_URL || undefined;
  },
  /**
   * Hosting on AWS (set by the CDK stack): the permissions boundary every deployment's role is
   * made with (each deployment's functions run as a role of their own); when set, applications
   * are hosted on Lambda. With the scheduler role, the Web Adapter layer and where assets are served.
   */
  get hostingRoleBoundaryArn(): string | undefined {
    return process.env.SLIPWAY_HOSTING_ROLE_BOUNDARY_ARN || undefined;
  },
  get hostingSchedulerRoleArn(): string {
    return required('SLIPWAY_HOSTING_SCHEDULER_ROLE_ARN');
  },
  get webAdapterLayerArn(): string {
    return required('SLIPWAY_WEB_ADAPTER_LAYER_ARN');
  },
  /** On AWS: the function schedules invoke to check hosted applications' health (docs/health-checks.md). */
  get healthProbeArn(): string | undefined {
    return process.env.SLIPWAY_HEALTH_PROBE_ARN || undefined;
  },
  get assetsBaseUrl(): string {
    return required('SLIPWAY_ASSETS_BASE_URL');
  },
  /** On AWS: the CloudFront distribution serving hosted assets, whose copies a redeploy makes stale. */
  get distributionId(): string {
    return required('SLIPWAY_DISTRIBUTION_ID');
  },
  /** The bucket hosted assets are copied to (served by the CloudFront distribution). */
  get assetsBucketName(): string {
    return required('SLIPWAY_ASSETS_BUCKET_NAME');
  },
  get localHostingToken(): string {
    return required('SLIPWAY_LOCAL_HOSTING_TOKEN');
  },
  /**
   * How many builds each deployment keeps the files of (its newest revisions'), so a rollback
   * to one of them builds nothing; the build served is always kept (`core/deployments/retention.ts`).
   */
  get keepBuilds(): number {
    return bounded('SLIPWAY_KEEP_BUILDS', 10, 100);
  },
  /** How long the reaper leaves a fresh lock alone before asking whether its execution runs. */
  get reaperGraceSeconds(): number {
    return integer('SLIPWAY_REAPER_GRACE_SECONDS', 60);
  },
  get maxBodyBytes(): number {
    return integer('SLIPWAY_MAX_BODY_BYTES', 1_048_576);
  },
  /**
   * Every tenant's limits unless an operator gave it its own (`npm run tenant:limits`): requests
   * per credential and per tenant in a window (429 past them), deploys building at once and
   * deployments hosting at once (`MaxResourceLimitExceeded`). Far above what a small team
   * sends or runs; see docs/limits.md#rate-limits-and-quotas.
   */
  get tenantLimits() {
    return {
      windowSeconds: bounded('SLIPWAY_RATE_LIMIT_WINDOW_SECONDS', 60, 86_400),
      credentialRequests: integer('SLIPWAY_RATE_LIMIT_CREDENTIAL_REQUESTS', 12_000),
      tenantRequests: integer('SLIPWAY_RATE_LIMIT_TENANT_REQUESTS', 30_000),
      concurrentBuilds: integer('SLIPWAY_QUOTA_CONCURRENT_BUILDS', 20),
      hostedApps: integer('SLIPWAY_QUOTA_HOSTED_APPS', 200),
      credentials: integer('SLIPWAY_QUOTA_CREDENTIALS', 500),
    };
  },
  /** How long a function keeps a tenant's own limits before reading them again (the rate limiter reads them per request). */
  get tenantLimitsCacheSeconds(): number {
    return bounded('SLIPWAY_TENANT_LIMITS_CACHE_SECONDS', 30, 3_600);
  },
  /** How long audit entries are kept before DynamoDB's TTL removes them (docs/credentials.md#the-audit-trail). */
  get auditRetentionDays(): number {
    return bounded('SLIPWAY_AUDIT_RETENTION_DAYS', 90, 3_650);
  },
  /**
   * Whether webhooks may go to loopback addresses, over http too (docs/webhooks.md#safe-to-point-at-the-internet):
   * for receivers on the same machine during development. Off unless set, `npm start` included.
   */
  get webhooksAllowLoopback(): boolean {
    return flag('SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK');
  },
  /** Tests only: divides every step of the webhook retry schedule (1000 makes its 5 minutes 300 ms). 1 in service. */
  get webhooksRetrySpeedup(): number {
    return bounded('SLIPWAY_WEBHOOKS_RETRY_SPEEDUP', 1, 100_000);
  },
  /** On AWS: the webhook dispatcher function, invoked after a fan-out; unset, `npm start` runs it in process. */
  get webhookDispatcherFunction(): string | undefined {
    return process.env.SLIPWAY_WEBHOOK_DISPATCHER_FUNCTION || undefined;
  },
};

/**
 * What every AWS SDK client of the API and the workflows is built with: a stalled dependency
 * fails after `dependencyTimeoutMs` (two attempts) instead of holding a request for ever.
 */
export const awsClientDefaults = () => {
  const attemptMs = config.dependencyTimeoutMs;
  return {
    maxAttempts: 2,
    requestHandler: {
      requestTimeout: attemptMs,
      connectionTimeout: Math.min(attemptMs, 2_000),
      throwOnRequestTimeout: true,
    },
  };
};
