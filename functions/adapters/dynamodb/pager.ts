import {
  type NativeAttributeValue,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { InvalidQueryParam } from '../../core/shared/errors.ts';
import type { Page, PageRequest } from '../../core/shared/listing.ts';
import { documentClient } from './client.ts';

type Key = Record<string, NativeAttributeValue>;

/**
 * Cursors are the DynamoDB `LastEvaluatedKey`, base64url-encoded. A decoded cursor must
 * belong to the partition being queried, so a crafted cursor cannot reach another tenant.
 */
const encodeCursor = (key: Key): string => Buffer.from(JSON.stringify(key)).toString('base64url');

/**
 * A query's `LastEvaluatedKey` holds the table's key, and on GSI1 the index's key too: exactly
 * those. Anything else would reach DynamoDB as a starting key it refuses (a 500, not a 400).
 */
const hasKeyShape = (key: Key, partitionAttr: string): boolean => {
  const names = Object.keys(key).sort().join(',');
  return partitionAttr === 'GSI1PK' ? names === 'GSI1PK,GSI1SK,PK,SK' : names === 'PK,SK';
};

const decodeCursor = (cursor: string, partitionAttr: string, partitionValue: string): Key => {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      typeof key === 'object' &&
      key !== null &&
      !Array.isArray(key) &&
      (key as Key)[partitionAttr] === partitionValue &&
      Object.values(key).every((v) => typeof v === 'string') &&
      hasKeyShape(key as Key, partitionAttr)
    ) {
      return key as Key;
    }
  } catch {
    // falls through to the error below
  }
  throw new InvalidQueryParam('cursor', 'the cursor is malformed or belongs to another listing');
};

export interface PagedQuery {
  /** The query, with `KeyConditionExpression` on the partition `partitionAttr = partitionValue`. */
  input: Omit<QueryCommandInput, 'Limit' | 'ExclusiveStartKey' | 'Select'>;
  partitionAttr: string;
  partitionValue: string;
}

/**
 * Runs a query as a Connect page (limit/offset with a total) or a cursor page. Offset pages
 * read `offset + limit` items (offset is capped at 10,000 by the API); cursor pages read
 * only `limit` and are the way to walk large listings.
 */
export const pagedQuery = async <T>(
  q: PagedQuery,
  page: PageRequest,
  fromItem: (item: Key) => T,
  /** Where the total comes from when the caller keeps a count (no query then walks the rest). */
  countAll?: () => Promise<number>,
): Promise<Page<T>> => {
  if (page.cursor !== undefined) {
    const { results, nextCursor } = await cursorQuery(q, page, fromItem);
    return { results, ...(countAll ? { total: await countAll() } : {}), nextCursor };
  }

  const wanted = page.offset + page.limit;
  const items: Key[] = [];
  let exclusiveStartKey: Key | undefined;
  let last: Key | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({ ...q.input, Limit: wanted - items.length, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(out.Items ?? []));
    exclusiveStartKey = out.LastEvaluatedKey;
    last = out.LastEvaluatedKey;
  } while (items.length < wanted && exclusiveStartKey);

  const results = items.slice(page.offset).map(fromItem);
  // DynamoDB returns a LastEvaluatedKey whenever the limit is reached, even at the very end.
  const total = countAll ? await countAll() : items.length + (last ? await countRest(q, last) : 0);
  return {
    results,
    total,
    nextCursor: last && items.length < total ? encodeCursor(last) : undefined,
  };
};

/**
 * One cursor page: at most `limit` items from where `cursor` left off (the start without one),
 * and the cursor of the next page when there may be one. Reads no more than the page.
 */
export const cursorQuery = async <T>(
  q: PagedQuery,
  page: { limit: number; cursor?: string },
  fromItem: (item: Key) => T,
): Promise<{ results: T[]; nextCursor?: string }> => {
  const items: Key[] = [];
  let exclusiveStartKey: Key | undefined =
    page.cursor === undefined ? undefined : decodeCursor(page.cursor, q.partitionAttr, q.partitionValue);
  let last: Key | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({
        ...q.input,
        Limit: page.limit - items.length,
        ExclusiveStartKey: exclusiveStartKey,
      }),
    );
    items.push(...(out.Items ?? []));
    exclusiveStartKey = out.LastEvaluatedKey;
    last = out.LastEvaluatedKey;
  } while (items.length < page.limit && exclusiveStartKey);
  return { results: items.map(fromItem), ...(last ? { nextCursor: encodeCursor(last) } : {}) };
};

const countRest = async (q: PagedQuery, from: Key): Promise<number> => {
  let count = 0;
  let exclusiveStartKey: Key | undefined = from;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({ ...q.input, Select: 'COUNT', ExclusiveStartKey: exclusiveStartKey }),
    );
    count += out.Count ?? 0;
    exclusiveStartKey = out.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return count;
};

/** Every item a query matches, page after page (for partitions known to stay small). */
export const queryAll = async (input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Key[]> => {
  const items: Key[] = [];
  let exclusiveStartKey: Key | undefined;
  do {
    const out: QueryCommandOutput = await documentClient.send(
      new QueryCommand({ ...input, ExclusiveStartKey: exclusiveStartKey }),
    );
    items.push(...(out.Items ?? []));
    exclusiveStartKey = out.LastEvaluatedKey;
  } while (exclusiveStartKey);
  return items;
};
