import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ConsoleSiteFile } from '../../core/console/publish.ts';

let client: S3Client | undefined;

/**
 * Writes a console file to the hosted-assets bucket under `prefix` (`console/`): the key the
 * distribution's `/console/*` behaviour reads it from.
 */
export const consoleSiteBucket = (bucket: () => string, prefix: string) => ({
  async put(file: ConsoleSiteFile, cacheControl: string): Promise<void> {
    client ??= new S3Client({});
    await client.send(
      new PutObjectCommand({
        Bucket: bucket(),
        Key: `${prefix}${file.path}`,
        Body: file.body,
        ContentType: file.contentType,
        CacheControl: cacheControl,
      }),
    );
  },
});
