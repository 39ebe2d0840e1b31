/**
 * The limits' errors. Connect: commercetools documents no error code for 429, so the rate limit
 * is named after the status as its other status-level errors are (`ServiceUnavailable`,
 * `BadGateway`, `GatewayTimeout`); a quota is commercetools' own `MaxResourceLimitExceeded`
 * (400, "a resource type cannot be created as it has reached its limits"), which names the
 * exceeded resource. BigCommerce: the same codes in its envelope.
 */
import { AppError } from '../shared/errors.ts';
import type { QuotaName } from './quotas.ts';
import type { RateDecision } from './rate-limits.ts';

export class TooManyRequests extends AppError {
  override readonly name = 'TooManyRequests';
  constructor(d: RateDecision) {
    const who = d.scope === 'credential' ? 'this credential' : "this tenant's credentials together";
    super(
      'TooManyRequests',
      `Too many requests: ${who} may make ${d.limit} requests in ${d.windowSeconds} seconds; try again in ${d.resetSeconds} seconds.`,
      { scope: d.scope, limit: d.limit, windowSeconds: d.windowSeconds, retryAfterSeconds: d.resetSeconds },
    );
  }
}

/** The quotas on what a tenant holds, besides those on its deployments (`quotas.ts`). */
type HeldQuota = QuotaName | 'credentials';

const QUOTA_TEXT: Record<HeldQuota, (limit: number) => string> = {
  concurrentBuilds: (limit) =>
    `The tenant's quota of ${limit} concurrent builds is reached: a deployment can start once one of those in progress has finished.`,
  hostedApps: (limit) =>
    `The tenant's quota of ${limit} hosted apps is reached: delete a deployment (or a BigCommerce project) to host another.`,
  credentials: (limit) =>
    `The tenant's quota of ${limit} credentials of this kind is reached: delete one to make another.`,
};

export class MaxResourceLimitExceeded extends AppError {
  override readonly name = 'MaxResourceLimitExceeded';
  constructor(
    readonly quota: HeldQuota,
    readonly limit: number,
  ) {
    super('MaxResourceLimitExceeded', QUOTA_TEXT[quota](limit), {
      exceededResource: quota === 'credentials' ? 'credential' : 'deployment',
      quota,
      limit,
    });
  }
}
