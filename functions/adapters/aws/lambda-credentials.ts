import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * Stands in for `@aws-sdk/credential-provider-node` in the Lambda bundles (an esbuild alias,
 * see `BUNDLE_ALIAS` in `functions/local/bundle.ts`). Lambda always hands a function its
 * role's credentials in the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
 * `AWS_SESSION_TOKEN`), and the local stack does the same, so the rest of the default chain
 * (shared ini files, SSO, web identity, IMDS, the STS/SSO clients they bring) is dead weight:
 * about 95 KB of every bundle. Only handlers get this; the CodeBuild job bundle keeps the
 * default chain, because CodeBuild gives credentials through its container endpoint.
 */
export const defaultProvider = (_init?: unknown): AwsCredentialIdentityProvider => fromEnv();
