/** What the AWS hosting adapter is configured with (`awsHosting` in `./hosting.ts`). */
export interface AwsHostingSettings {
  /** The artifacts bucket: `HostingRequest.bundle` is an object key (or, for assets, a prefix) in it. */
  bucket: string;
  /**
   * The managed policy every deployment's role is made with as its permissions boundary: the
   * most any hosted function may do, whatever its role's own policy says (`./roles.ts`).
   */
  roleBoundaryArn: string;
  /** The role EventBridge Scheduler assumes to invoke job functions. */
  schedulerRoleArn: string;
  /** The AWS Lambda Web Adapter layer for the region and arm64. */
  webAdapterLayerArn: string;
  /**
   * The hosted-assets bucket, apart from the artifacts: public content, served by CloudFront,
   * encrypted with S3's own key so that CloudFront needs no grant on the artifacts' key.
   */
  assetsBucket: string;
  /** Where assets are copied in `assetsBucket`, ending in `/` (e.g. `hosted-assets/`). */
  assetsPrefix: string;
  /**
   * Where `assetsBucket` is served, its keys being the URLs' paths (a CloudFront distribution,
   * `https://<domain>`): an application's URL is `<assetsBaseUrl>/<assetsPrefix><deployment>/<app>/`.
   */
  assetsBaseUrl: string;
  /**
   * The secured-configuration key, which also encrypts the functions' environment (AWS's own
   * key when absent); a deployment's role may decrypt with it only in its own context.
   */
  kmsKeyArn?: string;
  /** Starts every resource name (`slipway`). */
  namePrefix: string;
  /**
   * The `health-probe` function, which schedules invoke to check the health of service and event
   * applications that declare one (`./health.ts`); without it their health is checked only as
   * they are hosted (the Web Adapter's readiness check).
   */
  healthProbeArn?: string;
}

export interface AwsHostingOptions {
  /**
   * Resolves once the function is Active and no update is in progress; throws otherwise. The
   * SDK's waiters by default (tests pass a stub so they do not poll).
   */
  waitUntilReady?: (functionName: string) => Promise<void>;
  /** Waits between tries while a new role settles in IAM (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
}

/** What each application type's module is given: the settings, and the waiters chosen. */
export interface AwsHostingContext {
  settings: AwsHostingSettings;
  waitUntilReady: (functionName: string) => Promise<void>;
  sleep: (ms: number) => Promise<void>;
}

/** What `stop` is asked to remove (`ApplicationHosting.stop`). */
export type StopTarget = { deploymentId: string; buildId?: string; exceptBuildId?: string };
