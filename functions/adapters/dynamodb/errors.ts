import { type AttributeValue, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';

type Item = Record<string, unknown>;

export const isConditionFailure = (error: unknown): boolean =>
  error instanceof ConditionalCheckFailedException ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/** Runs a conditional write; a failed condition (a rule said no) gives `undefined`, anything else throws. */
export const unlessConditionFails = async <T>(write: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await write();
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
};

/**
 * The item a failed condition found (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`).
 * lib-dynamodb leaves items inside errors marshalled, so they are unmarshalled here.
 */
export const itemOfConditionFailure = (error: unknown): Item | undefined => {
  const item = (error as { Item?: Record<string, AttributeValue> }).Item;
  return item ? unmarshall(item) : undefined;
};

export interface CancellationReason {
  code: string;
  item?: Item;
}

/** Why each write of a cancelled transaction failed, in order; undefined for other errors. */
export const cancellationReasons = (error: unknown): CancellationReason[] | undefined => {
  if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') return undefined;
  const reasons =
    (error as { CancellationReasons?: { Code?: string; Item?: Record<string, AttributeValue> }[] })
      .CancellationReasons ?? [];
  return reasons.map((r) => ({ code: r.Code ?? 'None', ...(r.Item ? { item: unmarshall(r.Item) } : {}) }));
};

/**
 * Runs a transaction whose first write is conditional: false when that condition failed (a
 * rule said no), true when it was written; any other failure throws.
 */
export const unlessFirstConditionFails = async (write: () => Promise<unknown>): Promise<boolean> => {
  try {
    await write();
    return true;
  } catch (error) {
    if (cancellationReasons(error)?.[0]?.code === 'ConditionalCheckFailed') return false;
    throw error;
  }
};
