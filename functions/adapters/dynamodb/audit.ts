import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../../core/audit/audit.ts';
import { documentClient } from './client.ts';
import { keys } from './keys.ts';
import { cursorQuery } from './pager.ts';
import { TABLE_SCHEMA } from './schema.ts';

const STORED = [
  'id',
  'tenant',
  'at',
  'actor',
  'action',
  'method',
  'path',
  'resource',
  'outcome',
  'sourceIp',
  'viewerAddress',
  'userAgent',
  'requestId',
] as const;

const entryFromItem = (item: Record<string, unknown>): AuditEntry =>
  Object.fromEntries(
    STORED.filter((k) => item[k] !== undefined).map((k) => [k, item[k]]),
  ) as unknown as AuditEntry;

/**
 * A tenant's audit entries in a partition of their own (`AUDIT#<tenant>`), sorted by time then
 * id, so the newest page is one query; DynamoDB's TTL removes them after the retention period.
 */
export const dynamoAuditLog = (tableName: () => string): AuditLog => ({
  async record(entry, retentionDays) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.auditEntry(entry.tenant, entry.at, entry.id),
          type: 'AuditEntry',
          ...entry,
          [TABLE_SCHEMA.timeToLiveAttribute]:
            Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400,
        },
      }),
    );
  },

  list(tenant, page) {
    const partition = keys.auditPartition(tenant);
    return cursorQuery(
      {
        input: {
          TableName: tableName(),
          KeyConditionExpression: 'PK = :p',
          ExpressionAttributeValues: { ':p': partition },
          ScanIndexForward: false,
        },
        partitionAttr: 'PK',
        partitionValue: partition,
      },
      page,
      entryFromItem,
    );
  },
});
