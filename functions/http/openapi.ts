/**
 * The OpenAPI 3.1 document, generated with zod-openapi from the route table and the schemas
 * the handlers validate with (each group's `*-api.ts`). Request bodies and query parameters
 * are the validation schemas' input shapes; responses are described by status and error
 * envelope.
 */
import * as z from 'zod';
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject } from 'zod-openapi';
import type { OperationSpec } from './api-spec.ts';
import { AUDIT_API } from './audit-api.ts';
import { CONNECTORS_API } from './connectors-api.ts';
import { CREDENTIALS_API } from './credentials-api.ts';
import { DEPLOYMENTS_API } from './deployments-api.ts';
import { dialectForPath } from './dialects.ts';
import { PLATFORM_API } from './platform-api.ts';
import { PROJECTS_API } from './projects-api.ts';
import { ROUTES } from './routes.ts';
import {
  STORE_DEPLOYMENTS_API,
  STORE_PROJECTS_API,
  STORE_STREAMS_API,
  STORE_UPLOADS_API,
} from './store-api.ts';
import { UPLOADS_API } from './uploads-api.ts';
import { WEBHOOKS_API } from './webhooks-api.ts';

/** Every route's spec; each function's own group lives beside its schemas, so bundles stay apart. */
export const allOperations = (): Record<string, OperationSpec> => ({
  ...PLATFORM_API,
  ...PROJECTS_API,
  ...UPLOADS_API,
  ...CONNECTORS_API,
  ...DEPLOYMENTS_API,
  ...CREDENTIALS_API,
  ...AUDIT_API,
  ...STORE_PROJECTS_API,
  ...STORE_DEPLOYMENTS_API,
  ...STORE_UPLOADS_API,
  ...STORE_STREAMS_API,
  ...WEBHOOKS_API,
});

/**
 * The routes the document describes: the API's, not the tenants' own applications answering
 * at the projects' websites and services' stable addresses (`ANY /sites/…`, `ANY /apps/…`).
 */
export const documentedRoutes = () => ROUTES.filter((route) => route.method !== 'ANY');

const ErrorResponse = z
  .object({
    statusCode: z.number().int(),
    message: z.string(),
    errors: z.array(z.object({ code: z.string(), message: z.string() }).catchall(z.unknown())),
  })
  .meta({
    id: 'ErrorResponse',
    description: "Connect's error envelope: the first error's message, and every error with its code",
  });

const BigCommerceErrorResponse = z
  .object({
    status: z.number().int(),
    title: z.string(),
    type: z.string(),
    errors: z.record(z.string(), z.string()),
    code: z.string().meta({ description: 'Slipway: the error code' }),
    detail: z.string().optional(),
  })
  .meta({
    id: 'BigCommerceErrorResponse',
    description: "BigCommerce's error envelope (paths under /stores/): `errors` names the offending field",
  });

const errorFor = (path: string) => (description: string) => ({
  description,
  content: {
    'application/json': {
      schema: dialectForPath(path) === 'bigcommerce' ? BigCommerceErrorResponse : ErrorResponse,
    },
  },
});

const pathParameters = (path: string) => {
  const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
  return names.length === 0
    ? undefined
    : z.object(
        Object.fromEntries(
          names.map((n) => [
            n,
            z.string().meta({ description: n.endsWith('Ref') ? 'an id, or key=<key>' : n }),
          ]),
        ),
      );
};

const operationOf = (route: (typeof ROUTES)[number]): ZodOpenApiOperationObject => {
  const spec: OperationSpec | undefined = allOperations()[`${route.method} ${route.path}`];
  const path = pathParameters(route.path);
  const isPublic = route.scopes === null;
  const error = errorFor(route.path);
  const bigCommerce = dialectForPath(route.path) === 'bigcommerce';
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: spec?.summary ?? `${route.method} ${route.path}`,
    tags: [route.function],
    ...(isPublic
      ? { security: [] }
      : {
          description: `Scopes (any one): ${(route.scopes ?? []).join(', ')}`,
          ...(bigCommerce ? { security: [{ storeToken: [] }] } : {}),
        }),
    ...(path || spec?.query
      ? {
          requestParams: {
            ...(path ? { path } : {}),
            ...(spec?.query ? { query: spec.query as z.ZodObject } : {}),
          },
        }
      : {}),
    ...(spec?.body
      ? {
          requestBody: {
            required: true,
            content: {
              [spec.bodyType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json']: {
                schema: spec.body,
              },
            },
          },
        }
      : {}),
    responses: {
      [String(spec?.status ?? 200)]: {
        description: spec?.summary ?? 'OK',
        ...(spec?.response ? { content: { 'application/json': { schema: spec.response } } } : {}),
      },
      '400': error('The request is not valid: the error names the field or the rule'),
      ...(isPublic
        ? {}
        : {
            '401': error('No valid credential'),
            '403': error('The token lacks the route’s scope'),
            '429': error(
              'The credential’s or the tenant’s rate limit is reached: Retry-After says when to try again (RateLimit-* headers on every answer)',
            ),
          }),
      ...(path ? { '404': error('Not found (another tenant’s resource is not found either)') } : {}),
      ...(route.method !== 'GET'
        ? { '409': error('A conflict: a stale version, a duplicate key, a deployment in progress') }
        : {}),
    },
  };
};

export const openApiDocument = () => {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of documentedRoutes()) {
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operationOf(route) };
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Slipway',
      version: '0.1.0',
      description:
        'A self-hostable deployments control plane speaking the commercetools Connect Deployments API and (as it lands) the BigCommerce Infrastructure Hosting API.',
    },
    security: [{ bearerAuth: [] }],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A token from POST /oauth/token',
        },
        storeToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Auth-Token',
          description:
            'A store access token (npm run client:create -- --store <hash>), for paths under /stores/',
        },
      },
    },
    paths,
  });
};
