import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * `@20minutes/s3rver` in process. Unlike plain s3rver it checks SigV4 on presigned URLs, so
 * a tampered or expired upload URL fails here as it does on S3. Buckets are created with
 * `configureBuckets` (its CreateBucket trips on a signature quirk). It accepts the
 * credentials `S3RVER`/`S3RVER`, which the local stack puts in the environment.
 */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

export interface S3Local {
  endpoint: string;
  server: S3rverInstance;
  stop(): Promise<void>;
}

export const startS3Local = async (options: {
  directory: string;
  bucket: string;
  port?: number;
}): Promise<S3Local> => {
  const S3rver = require('@20minutes/s3rver') as S3rverConstructor;
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket }],
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    server,
    stop: () => server.close(),
  };
};
