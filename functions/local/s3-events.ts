import { randomUUID } from 'node:crypto';
import type { EventBridgeEvent } from 'aws-lambda';
import type { ObjectCreatedDetail } from '../handlers/upload-events.ts';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './sfn-protocol.ts';

/** The S3 notification record the local S3 server emits for each stored object. */
interface S3NotificationRecord {
  eventName: string;
  eventTime: string;
  s3: { bucket: { name: string }; object: { key: string; size?: number; eTag?: string } };
}

/**
 * Turns the local S3 server's notification into the EventBridge "Object Created" event S3
 * delivers on AWS, so the same handler consumes both. Other events (deletes) give nothing.
 */
export const toEventBridge = (
  record: S3NotificationRecord,
): EventBridgeEvent<'Object Created', ObjectCreatedDetail> | undefined => {
  if (!record.eventName.startsWith('ObjectCreated:')) return undefined;
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: LOCAL_ACCOUNT,
    time: record.eventTime,
    region: LOCAL_REGION,
    resources: [`arn:aws:s3:::${record.s3.bucket.name}`],
    detail: {
      bucket: { name: record.s3.bucket.name },
      // S3 notifications URL-encode keys; EventBridge details do not.
      object: {
        key: decodeURIComponent(record.s3.object.key.replaceAll('+', ' ')),
        size: record.s3.object.size ?? 0,
        etag: record.s3.object.eTag ?? '',
      },
    },
  };
};
