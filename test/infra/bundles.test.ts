import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bundleHandlers,
  bundlePath,
  type HandlerBundle,
  handlerNames,
} from '../../functions/local/bundle.ts';

/**
 * Issue 6's bundle budget, measured on the bundles `npm run build`, `npm start` and the CDK
 * all make (`functions/local/bundle.ts`): no handler over 550 KB, and a DynamoDB-only handler
 * (no AWS client but DynamoDB, no connect.yaml parser) not over 400 KB. Sizes, not times: the
 * import times are in `npm run bench`.
 */
const KB = 1024;
const ANY_MAX = 550 * KB;
const DYNAMODB_ONLY_MAX = 400 * KB;

const dir = mkdtempSync(join(tmpdir(), 'slipway-bundles-'));
let bundles: HandlerBundle[] = [];

beforeAll(async () => {
  bundles = await bundleHandlers(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The connect.yaml parser (a YAML parser and zod 3, 177 KB) is to a bundle what an SDK client
 * is: a function holding it is not DynamoDB-only.
 */
const PARSER = '@commercetools-connect/specification';
const dynamoDbOnly = (b: HandlerBundle) =>
  b.clients.length === 1 && b.clients[0] === 'dynamodb' && !b.packages.includes(PARSER);

describe('the bundle budget', () => {
  it('bundles every handler, and reports what is in each', () => {
    expect(bundles.map((b) => b.name)).toEqual(handlerNames().sort());
    for (const b of bundles) expect(statSync(bundlePath(dir, b.name)).size).toBe(b.bytes);
    // The classification below rests on the client list: check it sees what is there.
    expect(bundles.find((b) => b.name === 'projects')?.clients).toEqual(['dynamodb']);
    expect(bundles.find((b) => b.name === 'uploads')?.clients).toEqual(['dynamodb', 's3']);
  });

  it('keeps every handler within 550 KB', () => {
    const over = bundles
      .filter((b) => b.bytes > ANY_MAX)
      .map((b) => `${b.name}: ${Math.round(b.bytes / KB)} KB`);
    expect(over).toEqual([]);
  });

  it('keeps every DynamoDB-only handler within 400 KB', () => {
    const only = bundles.filter(dynamoDbOnly);
    expect(only.map((b) => b.name)).toContain('projects');
    const over = only
      .filter((b) => b.bytes > DYNAMODB_ONLY_MAX)
      .map((b) => `${b.name}: ${Math.round(b.bytes / KB)} KB`);
    expect(over).toEqual([]);
  });

  it('gives the connect.yaml parser, and the S3 client, only to the functions that need them', () => {
    const holding = (pkg: string) => bundles.filter((b) => b.packages.includes(pkg)).map((b) => b.name);
    expect(holding(PARSER)).toEqual(['connector-publisher', 'deployment-prepare']);
    // The API's deployments function reads no storage (the workflow copies a claimed upload).
    expect(holding('@aws-sdk/client-s3')).not.toContain('deployments');
  });
});
