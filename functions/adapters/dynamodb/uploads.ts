import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Upload } from '../../core/uploads/model.ts';
import type { UploadRepository } from '../../core/uploads/ports.ts';
import { documentClient } from './client.ts';
import { unlessConditionFails } from './errors.ts';
import { keys } from './keys.ts';
import { TABLE_SCHEMA } from './schema.ts';

/** Upload records outlive their URL by a week, so `expired` stays visible before TTL removes them. */
const RETENTION_AFTER_EXPIRY_S = 7 * 24 * 3600;

const fromItem = (item: Record<string, unknown>): Upload => {
  const { PK: _pk, SK: _sk, type: _type, [TABLE_SCHEMA.timeToLiveAttribute]: _ttl, ...upload } = item;
  return upload as unknown as Upload;
};

export const dynamoUploadRepository = (tableName: () => string): UploadRepository => ({
  async create(upload) {
    await documentClient.send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...keys.upload(upload.id),
          type: 'Upload',
          ...upload,
          [TABLE_SCHEMA.timeToLiveAttribute]:
            Math.floor(Date.parse(upload.expiresAt) / 1000) + RETENTION_AFTER_EXPIRY_S,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  },

  async get(id) {
    const out = await documentClient.send(
      new GetCommand({ TableName: tableName(), Key: keys.upload(id), ConsistentRead: true }),
    );
    return out.Item ? fromItem(out.Item) : undefined;
  },

  async markUploaded(id, object) {
    const out = await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(id),
          UpdateExpression:
            'SET #status = :uploaded, #size = :size, etag = :etag, uploadedAt = :at ADD version :one',
          // A consumed upload never changes again; the key check keeps a stray object from marking a slot.
          ConditionExpression:
            'attribute_exists(PK) AND objectKey = :key AND #status IN (:pending, :uploaded)',
          ExpressionAttributeNames: { '#status': 'status', '#size': 'size' },
          ExpressionAttributeValues: {
            ':uploaded': 'uploaded',
            ':pending': 'pending',
            ':size': object.size,
            ':etag': object.etag,
            ':at': object.at,
            ':key': object.key,
            ':one': 1,
          },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    return out?.Attributes ? fromItem(out.Attributes) : undefined;
  },

  async markConsumed(id, consumer, at, acceptPending = false) {
    const out = await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(id),
          UpdateExpression: 'SET #status = :consumed, consumedBy = :by, consumedAt = :at ADD version :one',
          ConditionExpression: acceptPending ? '#status IN (:uploaded, :pending)' : '#status = :uploaded',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':consumed': 'consumed',
            ':uploaded': 'uploaded',
            ...(acceptPending ? { ':pending': 'pending' } : {}),
            ':by': consumer,
            ':at': at,
            ':one': 1,
          },
        }),
      ),
    );
    return out !== undefined;
  },

  async releaseConsumption(id, consumer) {
    await unlessConditionFails(() =>
      documentClient.send(
        new UpdateCommand({
          TableName: tableName(),
          Key: keys.upload(id),
          UpdateExpression: 'SET #status = :uploaded REMOVE consumedBy, consumedAt ADD version :one',
          ConditionExpression: '#status = :consumed AND consumedBy = :by',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':consumed': 'consumed',
            ':uploaded': 'uploaded',
            ':by': consumer,
            ':one': 1,
          },
        }),
      ),
    );
  },
});
