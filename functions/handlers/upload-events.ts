import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { recordUploadedObject } from '../core/uploads/uploads.ts';
import { logger } from '../http/logger.ts';
import { uploadDeps } from '../wiring/uploads.ts';

/** The EventBridge "Object Created" detail S3 sends (only the fields used here). */
export interface ObjectCreatedDetail {
  bucket: { name: string };
  object: { key: string; size: number; etag: string };
}

/**
 * S3 "Object Created" events (through EventBridge on AWS; from the local S3 server's events
 * locally) mark the matching upload `uploaded` with its size and ETag.
 */
export const onObjectCreated = async (event: EventBridgeEvent<'Object Created', ObjectCreatedDetail>) => {
  const upload = await recordUploadedObject(uploadDeps, event.detail.object);
  if (upload) logger.info('upload received', { uploadId: upload.id, size: upload.size });
  return { updated: upload !== undefined };
};

export const handler = middy<EventBridgeEvent<'Object Created', ObjectCreatedDetail>>({
  timeoutEarlyInMillis: 0,
}).handler(onObjectCreated);
