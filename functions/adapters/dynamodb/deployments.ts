import { setTimeout as sleep } from 'node:timers/promises';
import {
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Deployment, ProjectLock } from '../../core/deployments/model.ts';
import { type DeploymentRepository, type LockChange, ProjectLockHeld } from '../../core/deployments/ports.ts';
import { hostedSlotOf, keepsHostedSlot } from '../../core/limits/quotas.ts';
import { ConcurrentModification, DuplicateField, ResourceNotFound } from '../../core/shared/errors.ts';
import { documentClient } from './client.ts';
import { type CancellationReason, cancellationReasons } from './errors.ts';
import { keys } from './keys.ts';
import { pagedQuery, queryAll } from './pager.ts';
import { claimUsage, quotaExceeded, releaseUsage } from './tenant-usage.ts';

type Item = Record<string, unknown>;
type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Deployment items carry `entity` as their marker: `type` is the deployment's own field. */
const STRIPPED = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'entity']);
const fromItem = (item: Item): Deployment =>
  Object.fromEntries(Object.entries(item).filter(([k]) => !STRIPPED.has(k))) as unknown as Deployment;

/** The item a deployment is stored as (exported for seeding benchmarks). */
export const deploymentItem = (d: Deployment) => ({
  ...keys.deployment(d.projectId, d.id),
  ...keys.deploymentByKey(d.projectId, d.id, d.key),
  entity: 'Deployment',
  ...d,
});

const lockFromItem = (item: Item): ProjectLock => ({
  projectId: String(item.projectId),
  deploymentId: String(item.deploymentId),
  operation: item.operation as ProjectLock['operation'],
  operationId: String(item.operationId),
  leaseExpiresAt: String(item.leaseExpiresAt),
  ...(typeof item.tenant === 'string' ? { tenant: item.tenant } : {}),
});

/**
 * The lock is one item per project. Taking it succeeds when nobody holds it or the holder's
 * lease has run out (a dead workflow cannot block a project for ever); releasing it succeeds
 * only for the operation that holds it.
 */
const lockWrite = (tableName: string, change: LockChange): TransactItem =>
  'acquire' in change
    ? {
        Put: {
          TableName: tableName,
          Item: {
            ...keys.projectLock(change.acquire.projectId),
            ...keys.lockIndex(change.acquire.leaseExpiresAt, change.acquire.projectId),
            entity: 'ProjectLock',
            ...change.acquire,
          },
          ConditionExpression: 'attribute_not_exists(PK) OR leaseExpiresAt < :now',
          ExpressionAttributeValues: { ':now': change.now },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        },
      }
    : {
        Delete: {
          TableName: tableName,
          Key: keys.projectLock(change.release.projectId),
          ConditionExpression: 'operationId = :op',
          ExpressionAttributeValues: { ':op': change.release.operationId },
        },
      };

const versioned = (tableName: string, d: Deployment, expectedVersion: number): TransactItem => ({
  Put: {
    TableName: tableName,
    Item: deploymentItem(d),
    ConditionExpression: 'version = :expected',
    ExpressionAttributeValues: { ':expected': expectedVersion },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  },
});

const countBy = (tableName: string, projectId: string, delta: number): TransactItem => ({
  Update: {
    TableName: tableName,
    Key: keys.projectStats(projectId),
    UpdateExpression: 'ADD deployments :delta',
    ExpressionAttributeValues: { ':delta': delta },
  },
});

const failed = (reason: CancellationReason | undefined) => reason?.code === 'ConditionalCheckFailed';

/** Turns a failed version condition into what a client can act on. */
const versionConflict = (expectedVersion: number, reason: CancellationReason | undefined, id: string) =>
  reason?.item
    ? new ConcurrentModification(expectedVersion, Number(reason.item.version))
    : new ResourceNotFound(`The Deployment with id '${id}' was not found.`);

/** The lock to release is not (or no longer) this operation's: taken over after its lease ran out. */
class LockNotHeld extends Error {}

/**
 * A release is "release it if it is still ours": when only the lock's condition fails (the
 * lease ran out and another operation took it), the write goes through without touching it.
 */
const releasingIfHeld = async (write: (withLock: boolean) => Promise<void>) => {
  try {
    await write(true);
  } catch (error) {
    if (!(error instanceof LockNotHeld)) throw error;
    await write(false);
  }
};

/**
 * Runs a transaction. One cancelled because another transaction held one of its items wrote
 * nothing and is tried again, a few times with jitter: every deploy of a tenant writes the
 * tenant's usage item (`tenant-usage.ts`), so its concurrent deploys meet there on AWS.
 */
const transact = async (
  items: TransactItem[],
  explain: (reasons: CancellationReason[]) => Error | undefined,
) => {
  for (let attempt = 1; ; attempt++) {
    try {
      await documentClient.send(new TransactWriteCommand({ TransactItems: items }));
      return;
    } catch (error) {
      const reasons = cancellationReasons(error);
      const explained = reasons && explain(reasons);
      if (explained) throw explained;
      if (!reasons?.some((r) => r.code === 'TransactionConflict') || attempt >= 5) throw error;
      await sleep(attempt * (10 + Math.random() * 40));
    }
  }
};

/**
 * A project's deployments live in the project's partition, ids time-ordered so the table's
 * order is creation order; GSI1 orders them by key. Beside them: key reservations, the lock
 * and a count, so the total of a listing never walks the partition.
 */
export const dynamoDeploymentRepository = (tableName: () => string): DeploymentRepository => {
  const getItem = async (key: Record<string, string>) =>
    (await documentClient.send(new GetCommand({ TableName: tableName(), Key: key, ConsistentRead: true })))
      .Item;
  /** Whether a deployment's hosted slot stays taken; a site's depends on what its project's address serves. */
  const keepsSlot = async (d: Deployment, removed: boolean) => {
    const asks = d.site && (removed || d.hosted === undefined);
    const served = asks ? (await getItem(keys.projectSite(d.projectId)))?.deploymentId : undefined;
    return keepsHostedSlot(d, removed, typeof served === 'string' ? served : undefined);
  };

  return {
    async create(deployment, lock, now, quotas) {
      const items: TransactItem[] = [
        {
          Put: {
            TableName: tableName(),
            Item: deploymentItem(deployment),
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        lockWrite(tableName(), { acquire: lock, now }),
        countBy(tableName(), deployment.projectId, 1),
      ];
      if (deployment.key !== undefined) {
        items.push({
          Put: {
            TableName: tableName(),
            Item: {
              ...keys.deploymentKey(deployment.projectId, deployment.key),
              entity: 'DeploymentKey',
              deploymentId: deployment.id,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        });
      }
      // Last, so the cancellation reasons above keep their positions.
      items.push({
        Put: {
          TableName: tableName(),
          Item: {
            ...keys.deploymentRef(deployment.id),
            entity: 'DeploymentRef',
            projectId: deployment.projectId,
          },
        },
      });
      const claimAt = items.length;
      if (quotas && lock.operation === 'deploy') items.push(claimUsage(tableName(), deployment, quotas));
      const key = deployment.key;
      await transact(items, (reasons) => {
        if (failed(reasons[3]) && key !== undefined) return new DuplicateField('key', key);
        if (failed(reasons[1]) && reasons[1]?.item) return new ProjectLockHeld(lockFromItem(reasons[1].item));
        if (quotas && failed(reasons[claimAt])) return quotaExceeded(reasons[claimAt], deployment, quotas);
        return undefined;
      });
    },

    async get(projectId, id) {
      const item = await getItem(keys.deployment(projectId, id));
      return item ? fromItem(item) : undefined;
    },

    async getById(id) {
      const ref = await getItem(keys.deploymentRef(id));
      if (!ref) return undefined;
      const item = await getItem(keys.deployment(String(ref.projectId), id));
      return item ? fromItem(item) : undefined;
    },

    async resolveKey(projectId, key) {
      const item = await getItem(keys.deploymentKey(projectId, key));
      return item ? String(item.deploymentId) : undefined;
    },

    list(projectId, request) {
      const [first] = request.sort ?? [];
      const byKey = first?.field === 'key';
      const filters: string[] = [];
      const names: Record<string, string> = {};
      const values: Record<string, unknown> = {};
      if (request.deploymentType !== undefined) {
        filters.push('#type = :type');
        names['#type'] = 'type';
        values[':type'] = request.deploymentType;
      }
      if (request.integrationTypes?.length) {
        names['#connector'] = 'connector';
        names['#types'] = 'integrationTypes';
        filters.push(
          `(${request.integrationTypes.map((_, i) => `contains(#connector.#types, :it${i})`).join(' OR ')})`,
        );
        request.integrationTypes.forEach((t, i) => {
          values[`:it${i}`] = t;
        });
      }
      const partition = byKey ? keys.deploymentsByKeyPartition(projectId) : keys.projectPartition(projectId);
      const keyCondition = byKey
        ? { IndexName: 'GSI1', KeyConditionExpression: 'GSI1PK = :pk' }
        : { KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)', ConsistentRead: true };
      return pagedQuery(
        {
          input: {
            TableName: tableName(),
            ...keyCondition,
            ScanIndexForward: first?.direction !== 'desc',
            ...(filters.length > 0 ? { FilterExpression: filters.join(' AND ') } : {}),
            ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: {
              ':pk': partition,
              ...(byKey ? {} : { ':prefix': keys.deploymentPrefix }),
              ...values,
            },
          },
          partitionAttr: byKey ? 'GSI1PK' : 'PK',
          partitionValue: partition,
        },
        request,
        fromItem,
        // Unfiltered listings take their total from the count kept with every create and removal.
        filters.length === 0
          ? async () => Number((await getItem(keys.projectStats(projectId)))?.deployments ?? 0)
          : undefined,
      );
    },

    async update(deployment, expectedVersion, lock) {
      const claim = lock && 'acquire' in lock ? lock : undefined;
      const usage = async (withLock: boolean) => {
        if (claim?.quotas && claim.acquire.operation === 'deploy')
          return claimUsage(tableName(), deployment, claim.quotas);
        if (!lock || claim) return undefined;
        // The build's place goes with the lock; the hosted slot with what the deployment hosts.
        return releaseUsage(tableName(), deployment.tenant, {
          ...(withLock ? { project: deployment.projectId } : {}),
          ...((await keepsSlot(deployment, false)) ? {} : { slot: hostedSlotOf(deployment) }),
        });
      };
      const write = async (withLock: boolean) => {
        const usageItem = await usage(withLock);
        await transact(
          [
            versioned(tableName(), deployment, expectedVersion),
            ...(lock && withLock ? [lockWrite(tableName(), lock)] : []),
            ...(usageItem ? [usageItem] : []),
          ],
          (reasons) => {
            if (failed(reasons[0])) return versionConflict(expectedVersion, reasons[0], deployment.id);
            if (claim && failed(reasons[1]) && reasons[1]?.item)
              return new ProjectLockHeld(lockFromItem(reasons[1].item));
            if (lock && 'release' in lock && withLock && failed(reasons[1])) return new LockNotHeld();
            if (claim?.quotas && failed(reasons[2]))
              return quotaExceeded(reasons[2], deployment, claim.quotas);
            return undefined;
          },
        );
      };
      if (lock && 'release' in lock) await releasingIfHeld(write);
      else await write(true);
    },

    async remove(deployment, expectedVersion, release) {
      const slot = (await keepsSlot(deployment, true)) ? undefined : hostedSlotOf(deployment);
      await releasingIfHeld((withLock) => removeItems(withLock));
      async function removeItems(withLock: boolean) {
        const items: TransactItem[] = [
          {
            Delete: {
              TableName: tableName(),
              Key: keys.deployment(deployment.projectId, deployment.id),
              ConditionExpression: 'version = :expected',
              ExpressionAttributeValues: { ':expected': expectedVersion },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          ...(withLock ? [lockWrite(tableName(), { release })] : []),
          countBy(tableName(), deployment.projectId, -1),
        ];
        if (deployment.key !== undefined) {
          items.push({
            Delete: { TableName: tableName(), Key: keys.deploymentKey(deployment.projectId, deployment.key) },
          });
        }
        items.push({ Delete: { TableName: tableName(), Key: keys.deploymentRef(deployment.id) } });
        const usage = releaseUsage(tableName(), deployment.tenant, {
          ...(withLock ? { project: deployment.projectId } : {}),
          ...(slot === undefined ? {} : { slot }),
        });
        if (usage) items.push(usage);
        await transact(items, (reasons) => {
          if (failed(reasons[0])) return versionConflict(expectedVersion, reasons[0], deployment.id);
          if (withLock && failed(reasons[1])) return new LockNotHeld();
          return undefined;
        });
      }
    },

    async getSite(projectId) {
      const item = await getItem(keys.projectSite(projectId));
      return item
        ? {
            deploymentId: String(item.deploymentId),
            ...(typeof item.replaces === 'string' ? { replaces: item.replaces } : {}),
          }
        : undefined;
    },

    async setSite(projectId, site) {
      await documentClient.send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...keys.projectSite(projectId), entity: 'ProjectSite', ...site },
        }),
      );
    },

    async getLock(projectId) {
      const item = await getItem(keys.projectLock(projectId));
      return item ? lockFromItem(item) : undefined;
    },

    async listLocks() {
      const items = await queryAll({
        TableName: tableName(),
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.locksPartition },
      });
      return items.map(lockFromItem);
    },

    async releaseLock(lock) {
      const release = lockWrite(tableName(), { release: lock });
      // The tenant's build place goes with the lock (a lock from before quotas names no tenant).
      const usage = lock.tenant && releaseUsage(tableName(), lock.tenant, { project: lock.projectId });
      // Released already, or taken by another operation since: nothing of this lock is left.
      await transact([release, ...(usage ? [usage] : [])], (reasons) =>
        failed(reasons[0]) ? new LockNotHeld() : undefined,
      ).catch((error: unknown) => {
        if (!(error instanceof LockNotHeld)) throw error;
      });
    },
  };
};
