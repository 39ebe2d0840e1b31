import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
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
});
