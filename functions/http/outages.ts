/**
 * Whether an error is a dependency being unavailable (DynamoDB, S3 or Step Functions down,
 * stalled or throttling) rather than a fault of the request or of the code: the caller should
 * try again shortly (503 with Retry-After; a workflow step retries). Read from the error's
 * generic shape (Node's network error codes, the SDK's timeout and 5xx/throttling metadata),
 * and from its causes (Powertools wraps the errors of its persistence layer).
 */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ECONNABORTED',
]);
const OUTAGE_NAMES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalServerError',
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
]);

export const isDependencyOutage = (error: unknown, depth = 0): boolean => {
  if (!(error instanceof Error) || depth > 4) return false;
  const e = error as Error & { code?: unknown; $metadata?: { httpStatusCode?: number }; cause?: unknown };
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  if (OUTAGE_NAMES.has(e.name)) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return true;
  return isDependencyOutage(e.cause, depth + 1);
};

/** Seconds a client is asked to wait before trying again (Retry-After). */
export const RETRY_AFTER_SECONDS = 5;
