/**
 * API Gateway's throttling of the HTTP API's stage (its default route settings): a token bucket
 * per route, over every caller together, applied before any authorizer or function runs. It is
 * the backstop for what Slipway's own limits never see (public routes, requests without a valid
 * credential, floods from many tenants at once) and caps what the functions and their bill can
 * be made to do. It answers API Gateway's own `429 {"message":"Too Many Requests"}`, in neither
 * dialect's envelope, which is why it sits well above any one tenant's limits: those are
 * counted per credential and per tenant in the functions (functions/http/rate-limit.ts), and
 * answer in the dialect's envelope with Retry-After. See docs/limits.md#rate-limits-and-quotas.
 *
 * CDK context: `apiThrottleRateLimit` (requests per second, steady) and `apiThrottleBurstLimit`
 * (the bucket), e.g. `-c apiThrottleRateLimit=2000 -c apiThrottleBurstLimit=4000`.
 */
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';

/** Per route: twice the default tenant rate (500 requests a second), with room for a burst. */
export const DEFAULT_STAGE_THROTTLE = { rateLimit: 1_000, burstLimit: 2_000 } as const;

const positiveInteger = (scope: Construct, name: string, fallback: number): number => {
  const context: unknown = scope.node.tryGetContext(name);
  if (context === undefined) return fallback;
  const value = Number(context);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(
      `The CDK context value '${name}' must be a positive whole number of requests (got '${String(context)}'), e.g. -c ${name}=${fallback}`,
    );
  return value;
};

/** The stage's throttle: the context values when given, else the defaults. */
export const stageThrottle = (scope: Construct): ThrottleSettings => ({
  rateLimit: positiveInteger(scope, 'apiThrottleRateLimit', DEFAULT_STAGE_THROTTLE.rateLimit),
  burstLimit: positiveInteger(scope, 'apiThrottleBurstLimit', DEFAULT_STAGE_THROTTLE.burstLimit),
});
