import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ArtifactStore } from '../../core/ports.ts';

/**
 * `WHEN_REQUIRED`: the SDK's default flexible checksum would add a CRC32 of an empty body to
 * presigned PUT URLs, which breaks every real upload.
 */
const s3 = new S3Client({ requestChecksumCalculation: 'WHEN_REQUIRED' });

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
      if ((error as Error).name === 'NotFound' || (error as Error).name === 'NoSuchKey') return undefined;
      throw error;
    }
  },

  async computeSha256(objectKey) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket(), Key: objectKey }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
    return hash.digest('base64');
  },
});
