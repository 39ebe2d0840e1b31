import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

const require = createRequire(import.meta.url);

interface KoaContext {
  headers: Record<string, string | undefined>;
  query: Record<string, unknown>;
  method: string;
  status: number;
  type: string;
  body: string;
}

interface S3rverInstance {
  /** s3rver is a Koa application: its middleware, in order. */
  middleware: ((ctx: KoaContext, next: () => Promise<void>) => Promise<void>)[];
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
  on(event: string, listener: (...args: unknown[]) => void): void;
}
type S3rverConstructor = new (options: Record<string, unknown>) => S3rverInstance;

/**
 * `@20minutes/s3rver` in process. Unlike plain s3rver it checks SigV4 on presigned URLs, so
 * a tampered or expired upload URL fails here as it does on S3. Buckets are created with
 * `configureBuckets` (its CreateBucket trips on a signature quirk). It accepts only the data
 * folder's own credentials (not s3rver's well-known `S3RVER` pair) and no anonymous request:
 * any process on the machine can reach its port, and what it holds is tenants' code.
 */

/**
 * The artifacts bucket's CORS rule, as the stateful stack gives the S3 bucket on AWS
 * (infra/stateful-stack.ts): a browser (the web console) PUTs an artifact straight to its
 * presigned URL, from the API's origin to storage's. The signature still decides what may be
 * written; CORS only lets the browser send it and read the answer.
 */
const ARTIFACTS_CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <ExposeHeader>ETag</ExposeHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface S3Local {
  endpoint: string;
  server: S3rverInstance;
  stop(): Promise<void>;
}

export const startS3Local = async (options: {
  directory: string;
  bucket: string;
  port?: number;
  credentials: { accessKeyId: string; secretAccessKey: string };
}): Promise<S3Local> => {
  const S3rver = require('@20minutes/s3rver') as S3rverConstructor;
  const accounts = require('@20minutes/s3rver/lib/models/account.js') as {
    DUMMY_ACCOUNT: {
      createKeyPair(id: string, secret: string): void;
      revokeAccessKey(id: string): void;
    };
  };
  accounts.DUMMY_ACCOUNT.revokeAccessKey('S3RVER');
  accounts.DUMMY_ACCOUNT.createKeyPair(options.credentials.accessKeyId, options.credentials.secretAccessKey);
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    directory: options.directory,
    silent: true,
    configureBuckets: [{ name: options.bucket, configs: [ARTIFACTS_CORS] }],
  });
  // First in its middleware: a request that is not signed at all is refused (s3rver would serve it).
  server.middleware.unshift(async (ctx: KoaContext, next: () => Promise<void>) => {
    const signed =
      ctx.headers.authorization !== undefined || 'X-Amz-Algorithm' in ctx.query || 'Signature' in ctx.query;
    if (signed || ctx.method === 'OPTIONS') return next();
    ctx.status = 403;
    ctx.type = 'application/xml';
    ctx.body =
      '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>';
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    server,
    stop: () => server.close(),
  };
};
