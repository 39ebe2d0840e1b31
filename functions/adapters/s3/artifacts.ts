import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CopyObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { awsClientDefaults } from '../../config.ts';
import type { ArtifactStore } from '../../core/uploads/ports.ts';

/**
 * `WHEN_REQUIRED`: the SDK's default flexible checksum would add a CRC32 of an empty body to
 * presigned PUT URLs, which breaks every real upload.
 */
const s3 = new S3Client({ ...awsClientDefaults(), requestChecksumCalculation: 'WHEN_REQUIRED' });

const isMissing = (error: unknown) =>
  (error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey';

/** GetObject, or undefined when there is no such object. */
const getObject = async (bucket: string, key: string) => {
  try {
    return await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
};

export const s3ArtifactStore = (bucket: () => string): ArtifactStore => ({
  async presignUpload({ objectKey, contentType, size, sha256, expiresInSeconds, signingDate }) {
    const headers: Record<string, string> = { 'content-type': contentType };
    if (size !== undefined) headers['content-length'] = String(size);
    if (sha256 !== undefined) headers['x-amz-checksum-sha256'] = sha256;
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({
        Bucket: bucket(),
        Key: objectKey,
        ContentType: contentType,
        ContentLength: size,
        ChecksumSHA256: sha256,
      }),
      {
        expiresIn: expiresInSeconds,
        signingDate,
        // Signed, so storage rejects a request whose headers differ from what was declared.
        signableHeaders: new Set(Object.keys(headers)),
        unhoistableHeaders: new Set(Object.keys(headers)),
      },
    );
    return { url, headers };
  },

  async describe(objectKey) {
    try {
      // ChecksumMode returns the SHA-256 S3 verified at upload; storage that keeps none returns none.
      const head = await s3.send(
        new HeadObjectCommand({ Bucket: bucket(), Key: objectKey, ChecksumMode: 'ENABLED' }),
      );
      return { size: head.ContentLength ?? 0, contentType: head.ContentType, sha256: head.ChecksumSHA256 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  },

  async computeSha256(objectKey) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: objectKey }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('base64');
  },

  async copy(fromKey, toKey) {
    await s3.send(
      new CopyObjectCommand({
        Bucket: bucket(),
        Key: toKey,
        // Keys are ours ([a-z0-9-/.]), so they need no escaping beyond what the SDK does.
        CopySource: `${bucket()}/${fromKey}`,
      }),
    );
  },

  async withLocalCopy(objectKey, use) {
    const object = await getObject(bucket(), objectKey);
    if (!object) return undefined;
    // Lambda's /tmp locally is the OS temp folder; the copy is removed whatever `use` does.
    const dir = await mkdtemp(join(tmpdir(), 'slipway-artifact-'));
    try {
      const path = join(dir, 'artifact.zip');
      await pipeline(object.Body as Readable, createWriteStream(path));
      return await use(path);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },

  async readText(objectKey, maxBytes) {
    const object = await getObject(bucket(), objectKey);
    if (!object) return undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of object.Body as Readable) {
      size += (chunk as Buffer).length;
      if (size > maxBytes) {
        (object.Body as Readable).destroy();
        break;
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  },
});
