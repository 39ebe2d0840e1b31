/**
 * CORS on AWS, from the same policy the local gateway applies (functions/http/cors.ts): the
 * CDK context value `corsOrigins` (comma-separated, e.g. `-c corsOrigins=https://console.example.com`)
 * turns it on; without it nothing CORS-related is synthesized, and the templates are unchanged.
 * The HTTP API answers preflights itself (before the authorizer), the streaming routes' function
 * URLs do the same, and CloudFront lets OPTIONS and the CORS request headers through to both.
 */
import { Duration } from 'aws-cdk-lib';
import { CorsHttpMethod, type CorsPreflightOptions } from 'aws-cdk-lib/aws-apigatewayv2';
import { type FunctionUrlCorsOptions, HttpMethod } from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  CORS_ALLOW_HEADERS,
  CORS_ALLOW_METHODS,
  CORS_EXPOSE_HEADERS,
  CORS_MAX_AGE_SECONDS,
  parseCorsOrigins,
} from '../functions/http/cors.ts';

/** The origins the context value names; empty (CORS off) when it is not given. */
export const corsOriginsOf = (scope: Construct): string[] => {
  const context: unknown = scope.node.tryGetContext('corsOrigins');
  if (context === undefined) return [];
  return parseCorsOrigins(Array.isArray(context) ? context.join(',') : String(context));
};

/** The HTTP API's CORS configuration, or none. */
export const httpApiCors = (origins: readonly string[]): CorsPreflightOptions | undefined =>
  origins.length === 0
    ? undefined
    : {
        allowOrigins: [...origins],
        allowMethods: CORS_ALLOW_METHODS.map((method) => CorsHttpMethod[method]),
        allowHeaders: [...CORS_ALLOW_HEADERS],
        exposeHeaders: [...CORS_EXPOSE_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      };

/** A streaming function URL's CORS configuration (its routes are GET), or none. */
export const functionUrlCors = (origins: readonly string[]): FunctionUrlCorsOptions | undefined =>
  origins.length === 0
    ? undefined
    : {
        allowedOrigins: [...origins],
        allowedMethods: [HttpMethod.GET, HttpMethod.HEAD],
        allowedHeaders: [...CORS_ALLOW_HEADERS],
        exposedHeaders: [...CORS_EXPOSE_HEADERS],
        maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
      };

/** What CloudFront must pass to a streaming origin for CORS: the request's origin and preflight headers. */
export const CORS_REQUEST_HEADERS = [
  'Origin',
  'Access-Control-Request-Method',
  'Access-Control-Request-Headers',
];
