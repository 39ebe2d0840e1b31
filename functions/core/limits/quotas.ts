/**
 * Quotas: how much work a tenant may have going at once. Checked when a deploy operation takes
 * its project's lock (a create or a redeploy, in either dialect), in the same transaction, so
 * concurrent requests cannot both pass the last free place. An undeploy is never refused: it is
 * how a tenant frees what it uses.
 *
 * - Concurrent builds: the tenant's projects with a deploy in progress (one per project at
 *   most, the project's lock), kept as the set of those projects.
 * - Hosted apps: the tenant's deployments that host applications or are on their way to, kept
 *   as a set of slots. A deployment takes its slot when its deploy starts and keeps it while it
 *   hosts something; it gives it back when it is removed, or when a deploy ends with nothing
 *   hosted. The deployments of a project's address (the BigCommerce dialect's, `site`) share
 *   one slot, the project's: the address serves one of them at a time.
 */
import { effectiveLimits, type TenantLimits, type TenantLimitsSource } from './limits.ts';

export type QuotaName = 'concurrentBuilds' | 'hostedApps';
export type TenantQuotas = Pick<TenantLimits, QuotaName>;

export interface QuotaDeps {
  limits: TenantLimitsSource;
  settings: { limits: TenantLimits };
}

/** The tenant's quotas now: the defaults, or its own values. */
export const tenantQuotas = async (deps: QuotaDeps, tenant: string): Promise<TenantQuotas> => {
  const { concurrentBuilds, hostedApps } = effectiveLimits(
    deps.settings.limits,
    await deps.limits.get(tenant),
  );
  return { concurrentBuilds, hostedApps };
};

interface HostingDeployment {
  id: string;
  projectId: string;
  site?: boolean;
  hosted?: unknown;
}

/** The hosted-apps slot a deployment takes: its own, or its project's address's. */
export const hostedSlotOf = (d: HostingDeployment): string =>
  d.site ? `project:${d.projectId}` : `deployment:${d.id}`;

/**
 * Whether the slot of `d` stays taken once its operation has ended (`removed`: it was
 * undeployed and deleted). `served` is the deployment its project's address serves, which
 * matters only to a `site` deployment: the project's slot is kept for whichever serves.
 */
export const keepsHostedSlot = (
  d: HostingDeployment,
  removed: boolean,
  served: string | undefined,
): boolean => {
  const anotherServes = served !== undefined && served !== d.id;
  if (d.site) return anotherServes || (!removed && d.hosted !== undefined);
  return !removed && d.hosted !== undefined;
};
