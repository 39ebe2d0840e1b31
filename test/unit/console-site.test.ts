import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cloudFrontAssetsCache } from '../../functions/adapters/cdn/cloudfront-cache.ts';
import { packagedConsoleFiles } from '../../functions/adapters/console/packaged-files.ts';
import { consoleSiteBucket } from '../../functions/adapters/s3/console-site.ts';
import { IMMUTABLE, publishConsole, REVALIDATE } from '../../functions/core/console/publish.ts';

// Neither S3's writes nor CloudFront have a stand-in here: the publisher is checked by its calls.
const s3 = mockClient(S3Client);
const cloudfront = mockClient(CloudFrontClient);
const dirs: string[] = [];

/** A console release as scripts/build.ts packages it beside the function's bundle. */
const packaged = (withIndex = true) => {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-console-'));
  dirs.push(dir);
  const files = [
    { path: 'assets/main-A1.js', contentType: 'text/javascript; charset=utf-8', immutable: true },
    { path: 'assets/main-B2.css', contentType: 'text/css; charset=utf-8', immutable: true },
    ...(withIndex ? [{ path: 'index.html', contentType: 'text/html; charset=utf-8', immutable: false }] : []),
  ];
  mkdirSync(join(dir, 'console', 'assets'), { recursive: true });
  for (const file of files) writeFileSync(join(dir, 'console', file.path), `contents of ${file.path}`);
  writeFileSync(join(dir, 'console', 'manifest.json'), JSON.stringify(files));
  return dir;
};

const portsFor = (dir: string) => {
  const cache = cloudFrontAssetsCache(() => 'E2SLIPWAYDIST', '');
  return {
    files: packagedConsoleFiles(dir),
    ...consoleSiteBucket(() => 'hosted-bucket', 'console/'),
    invalidate: (reference: string) => cache.invalidate('console', reference),
  };
};

beforeEach(() => {
  s3.reset();
  cloudfront.reset();
  s3.on(PutObjectCommand).resolves({});
  cloudfront.on(CreateInvalidationCommand).resolves({});
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('publishing the web console (AWS)', () => {
  it('writes the hashed files for ever cacheable, then index.html to revalidate, then invalidates /console/*', async () => {
    await expect(publishConsole(portsFor(packaged()), 'rel-1')).resolves.toBe(3);

    const puts = s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key, p.CacheControl])).toEqual([
      ['hosted-bucket', 'console/assets/main-A1.js', IMMUTABLE],
      ['hosted-bucket', 'console/assets/main-B2.css', IMMUTABLE],
      ['hosted-bucket', 'console/index.html', REVALIDATE],
    ]);
    expect(puts[2]?.ContentType).toBe('text/html; charset=utf-8');
    expect(Buffer.from(puts[0]?.Body as Uint8Array).toString()).toBe('contents of assets/main-A1.js');
    expect(cloudfront.commandCalls(CreateInvalidationCommand)[0]?.args[0].input).toEqual({
      DistributionId: 'E2SLIPWAYDIST',
      InvalidationBatch: { CallerReference: 'rel-1', Paths: { Quantity: 1, Items: ['/console/*'] } },
    });
  });

  it('refuses a release without index.html, writing nothing', async () => {
    await expect(publishConsole(portsFor(packaged(false)), 'rel-2')).rejects.toThrow(/no index.html/);
    expect(s3.calls()).toHaveLength(0);
  });
});

describe('the console-site custom resource', () => {
  let server: Server;
  let url: string;
  const answers: unknown[] = [];
  let handler: typeof import('../../functions/handlers/console-site.ts')['handler'];

  beforeAll(async () => {
    process.env.SLIPWAY_DISTRIBUTION_ID = 'E2SLIPWAYDIST';
    process.env.SLIPWAY_ASSETS_BUCKET_NAME = 'hosted-bucket';
    ({ handler } = await import('../../functions/handlers/console-site.ts'));
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        answers.push(JSON.parse(body));
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/answer`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const request = (RequestType: 'Create' | 'Delete') =>
    ({
      RequestType,
      ResponseURL: url,
      StackId: 'stack',
      RequestId: 'req-1',
      LogicalResourceId: 'ConsoleRelease',
      ResourceType: 'Custom::SlipwayConsole',
      ServiceToken: 'arn',
      PhysicalResourceId: 'slipway-console',
      ResourceProperties: { ServiceToken: 'arn', Release: 'rel-3' },
    }) as CloudFormationCustomResourceEvent;

  it('tells CloudFormation that a deletion succeeded, leaving the files to the bucket', async () => {
    answers.length = 0;
    await handler(request('Delete'));
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS', RequestId: 'req-1' })]);
    expect(s3.calls()).toHaveLength(0);
  });

  it('tells CloudFormation why publishing failed, so the deploy stops instead of waiting an hour', async () => {
    // Unbundled, the function has no packaged console beside it.
    answers.length = 0;
    await handler(request('Create'));
    expect(answers).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringMatching(/^Publishing the console failed: /),
        LogicalResourceId: 'ConsoleRelease',
        PhysicalResourceId: 'slipway-console',
      }),
    ]);
  });
});
