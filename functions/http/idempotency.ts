import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { makeHandlerIdempotent } from '@aws-lambda-powertools/idempotency/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type middy from '@middy/core';
import { awsClientDefaults, config } from '../config.ts';
import { IdempotencyKeyInProgress, IdempotencyKeyMismatch } from '../core/shared/errors.ts';
import type { ApiEvent } from './pipeline.ts';
import type { HttpResult } from './responses.ts';

/** Stored responses are replayed for a day, as the `Idempotency-Key` contract says. */
const RETENTION_SECONDS = 24 * 60 * 60;

/**
 * The key: the caller (tenant and subject), the route and the path, and the client's
 * `Idempotency-Key`; no header, no idempotency. The payload checked on a replay is the body.
 */
const KEY_EXPRESSION =
  'headers."idempotency-key" && [requestContext.authorizer.lambda.tenant, requestContext.authorizer.lambda.subject, routeKey, rawPath, headers."idempotency-key"]';

let inner: middy.MiddlewareObj | undefined;
const powertools = () => {
  inner ??= makeHandlerIdempotent({
    // Records live in the service's table (PK/SK), expiring through its TTL attribute.
    persistenceStore: new DynamoDBPersistenceLayer({
      tableName: config.tableName,
      keyAttr: 'PK',
      sortKeyAttr: 'SK',
      staticPkValue: 'IDEMPOTENCY',
      expiryAttr: 'ttl',
      awsSdkV3Client: new DynamoDBClient(awsClientDefaults()),
    }),
    config: new IdempotencyConfig({
      eventKeyJmesPath: KEY_EXPRESSION,
      payloadValidationJmesPath: 'body',
      expiresAfterSeconds: RETENTION_SECONDS,
      responseHook: (response) => {
        const result = response as HttpResult;
        return { ...result, headers: { ...result.headers, 'idempotent-replayed': 'true' } };
      },
    }),
  }) as middy.MiddlewareObj;
  return inner;
};

const SKIP = 'slipway.idempotency.skip';
const flags = (request: { internal: unknown }) => request.internal as Record<string, unknown>;

const translate = (error: unknown): unknown => {
  if (error instanceof IdempotencyValidationError) return new IdempotencyKeyMismatch();
  if (error instanceof IdempotencyAlreadyInProgressError) return new IdempotencyKeyInProgress();
  return error;
};

/**
 * Powertools' idempotency on POST requests that carry an `Idempotency-Key`: the first
 * response is stored and replayed for 24 hours with `Idempotent-Replayed: true`; the same key
 * with another body is 422, while the first is still running 409.
 *
 * One correction to Powertools' middy integration: its onError deletes the record whatever
 * failed, so a mismatched or concurrent retry (which fails in `before`, before the handler)
 * would erase the first request's record and let the next retry run twice. Here onError is
 * passed on only when the handler itself ran.
 */
export const idempotentPosts = (): middy.MiddlewareObj<ApiEvent, HttpResult> => ({
  before: async (request) => {
    const applies =
      request.event.requestContext.http.method === 'POST' &&
      request.event.headers['idempotency-key'] !== undefined;
    if (!applies) {
      flags(request)[SKIP] = true;
      return undefined;
    }
    try {
      return (await powertools().before?.(request as never)) as HttpResult | undefined;
    } catch (error) {
      flags(request)[SKIP] = true;
      throw translate(error);
    }
  },
  after: async (request) => {
    if (flags(request)[SKIP] !== true) await powertools().after?.(request as never);
  },
  onError: async (request) => {
    if (flags(request)[SKIP] !== true) await powertools().onError?.(request as never);
  },
});
