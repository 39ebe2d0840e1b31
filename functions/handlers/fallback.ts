import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MethodNotAllowed, ResourceNotFound } from '../core/shared/errors.ts';
import { dialectForPath } from '../http/dialects.ts';
import { logger } from '../http/logger.ts';
import { MIDDY_OPTIONS } from '../http/middy-options.ts';
import { errorResponse, type HttpResult } from '../http/responses.ts';
import { matchRoute } from '../http/routes.ts';

/** The `$default` route: a known path with the wrong method is 405, anything else 404. */
export const answerUnrouted = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const { method } = event.requestContext.http;
  const match = matchRoute(method, event.rawPath);
  const error =
    match.kind === 'method-not-allowed'
      ? new MethodNotAllowed(method, event.rawPath, match.allowed)
      : new ResourceNotFound(`No route for ${method} ${event.rawPath}.`);
  return errorResponse(dialectForPath(event.rawPath), error).result;
};

export const handler = middy<APIGatewayProxyEventV2, HttpResult>(MIDDY_OPTIONS)
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(answerUnrouted);
