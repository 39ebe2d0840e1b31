import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Deployment } from '../../core/deployments/model.ts';
import { MaxResourceLimitExceeded } from '../../core/limits/errors.ts';
import { hostedSlotOf, type TenantQuotas } from '../../core/limits/quotas.ts';
import type { CancellationReason } from './errors.ts';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/**
 * What a tenant uses now, counted by its quotas (`functions/core/limits/quotas.ts`): one item
 * beside its projects with two string sets, `builds` (the projects with a deploy in progress)
 * and `hosted` (the hosted-apps slots taken). It changes only in the transactions that take or
 * release a project's lock or remove a deployment (`deployments.ts`), so it never drifts from
 * them; a set's size is what a quota's condition compares.
 */
export const tenantUsageKey = (tenant: string) => ({ PK: `TENANT#${tenant}`, SK: 'USAGE' });

/**
 * A deploy operation's claim: its project among the builds and its slot among the hosted apps,
 * unless that would pass a quota. A project or slot already in its set passes (a lock taken
 * over from an expired lease, a redeploy of a deployment that hosts).
 */
export const claimUsage = (tableName: string, d: Deployment, quotas: TenantQuotas): TransactItem => {
  const slot = hostedSlotOf(d);
  return {
    Update: {
      TableName: tableName,
      Key: tenantUsageKey(d.tenant),
      UpdateExpression: 'SET entity = :entity ADD builds :projectSet, hosted :slotSet',
      ConditionExpression:
        '(attribute_not_exists(builds) OR size(builds) < :maxBuilds OR contains(builds, :project)) AND ' +
        '(attribute_not_exists(hosted) OR size(hosted) < :maxHosted OR contains(hosted, :slot))',
      ExpressionAttributeValues: {
        ':entity': 'TenantUsage',
        ':projectSet': new Set([d.projectId]),
        ':slotSet': new Set([slot]),
        ':project': d.projectId,
        ':slot': slot,
        ':maxBuilds': quotas.concurrentBuilds,
        ':maxHosted': quotas.hostedApps,
      },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    },
  };
};

/** Gives back a project's build place and (or) a hosted-apps slot; nothing to give, no write. */
export const releaseUsage = (
  tableName: string,
  tenant: string,
  release: { project?: string; slot?: string },
): TransactItem | undefined => {
  const parts: string[] = [];
  const values: Record<string, Set<string>> = {};
  if (release.project !== undefined) {
    parts.push('builds :projectSet');
    values[':projectSet'] = new Set([release.project]);
  }
  if (release.slot !== undefined) {
    parts.push('hosted :slotSet');
    values[':slotSet'] = new Set([release.slot]);
  }
  if (parts.length === 0) return undefined;
  return {
    Update: {
      TableName: tableName,
      Key: tenantUsageKey(tenant),
      UpdateExpression: `DELETE ${parts.join(', ')}`,
      ExpressionAttributeValues: values,
    },
  };
};

const sizeOf = (value: unknown) => (value instanceof Set ? value.size : 0);
const holds = (value: unknown, member: string) => value instanceof Set && value.has(member);

/** Which quota a failed claim met, from the usage the condition found. */
export const quotaExceeded = (
  reason: CancellationReason | undefined,
  d: Deployment,
  quotas: TenantQuotas,
): MaxResourceLimitExceeded => {
  const builds = reason?.item?.builds;
  return sizeOf(builds) >= quotas.concurrentBuilds && !holds(builds, d.projectId)
    ? new MaxResourceLimitExceeded('concurrentBuilds', quotas.concurrentBuilds)
    : new MaxResourceLimitExceeded('hostedApps', quotas.hostedApps);
};
