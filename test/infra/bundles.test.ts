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

/** A schema, or a thunk of one (`() => X$`); a struct's member is `[schema, traits]` or a schema. */
type Schema = unknown;
const resolved = (schema: Schema): Schema => (typeof schema === 'function' ? schema() : schema);
const memberTarget = (member: Schema): Schema =>
  resolved(Array.isArray(member) && member.length === 2 ? member[0] : member);
const isEventStreamUnion = (schema: Schema) =>
  Array.isArray(schema) && schema[0] === 4 && Boolean((schema[3] as { streaming?: unknown })?.streaming);

type CommandClass = new (input: object) => { schema: unknown[] };

/** Whether `client:Operation` streams events: an operation schema is `[9, ns, name, traits, input, output]`. */
const hasEventStream = async (operation: string): Promise<boolean> => {
  const [client, name] = operation.split(':');
  const sdk = (await import(`@aws-sdk/client-${client}`)) as Record<string, CommandClass>;
  const Command = sdk[`${name}Command`];
  if (!Command) throw new Error(`@aws-sdk/client-${client} has no ${name}Command`);
  const [, , , , input, output] = new Command({}).schema;
  return [input, output].some((side) => {
    const struct = resolved(side);
    return (
      Array.isArray(struct) &&
      struct[0] === 3 &&
      (struct[5] as Schema[]).some((m) => isEventStreamUnion(memberTarget(m)))
    );
  });
};

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

  /**
   * The handler bundles leave the SDK's event-stream codec out (`sdkWithoutEventStreams`): an
   * operation with an event stream would throw there. An operation has one when its input or
   * output has a member of a union schema with the `streaming` trait (how the SDK decides too).
   */
  it('holds no SDK operation with an event stream (the bundles have no event-stream codec)', async () => {
    expect(await hasEventStream('lambda:InvokeWithResponseStream')).toBe(true);
    expect(await hasEventStream('s3:SelectObjectContent')).toBe(true);
    expect(await hasEventStream('s3:GetObject')).toBe(false);
    // The list of operations rests on the metafile: check it sees what is there.
    expect(bundles.find((b) => b.name === 'deployment-steps')?.operations).toContain('iam:CreateRole');
    const streaming: string[] = [];
    for (const b of bundles)
      for (const op of b.operations) if (await hasEventStream(op)) streaming.push(`${b.name}: ${op}`);
    expect(streaming).toEqual([]);
  });

  it('gives the connect.yaml parser, and the S3 client, only to the functions that need them', () => {
    const holding = (pkg: string) => bundles.filter((b) => b.packages.includes(pkg)).map((b) => b.name);
    expect(holding(PARSER)).toEqual(['connector-publisher', 'deployment-prepare']);
    // The API's deployments function reads no storage (the workflow copies a claimed upload).
    expect(holding('@aws-sdk/client-s3')).not.toContain('deployments');
  });
});
