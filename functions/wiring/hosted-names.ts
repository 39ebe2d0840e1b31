/**
 * What hosted resources are named after (`slipway-…`) and where hosted assets live in their
 * bucket: also the path the CloudFront distribution serves them under (`/hosted-assets/*`).
 */
export const HOSTED_NAME_PREFIX = 'slipway';
export const HOSTED_ASSETS_PREFIX = 'hosted-assets/';
/** Where the web console's files live in the same bucket, and the path it is served under. */
export const CONSOLE_PREFIX = 'console/';
