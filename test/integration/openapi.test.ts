import SwaggerParser from '@apidevtools/swagger-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { allOperations, documentedRoutes } from '../../functions/http/openapi.ts';
import { ROUTES, routeKey } from '../../functions/http/routes.ts';
import { api, type JsonBody } from '../helpers.ts';

let doc: JsonBody;

beforeAll(async () => {
  const res = await api('/openapi.json');
  expect(res.status).toBe(200);
  doc = await res.json();
});

describe('GET /openapi.json', () => {
  it('is a valid OpenAPI 3.1 document, served without a token', async () => {
    const validated = await SwaggerParser.validate(structuredClone(doc));

    expect(doc.openapi).toBe('3.1.0');
    expect(validated.info.title).toBe('Slipway');
  });

  it('describes exactly the routes of the route table, and the API spec names no other', () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );

    expect(documented.sort()).toEqual(documentedRoutes().map(routeKey).sort());
    expect(Object.keys(allOperations()).sort()).toEqual(documentedRoutes().map(routeKey).sort());
    // Only the projects' websites and services' stable addresses are left out: they answer
    // any method at any path, as the tenant's application does.
    expect(ROUTES.filter((r) => !documentedRoutes().includes(r)).map((r) => r.path)).toEqual([
      '/sites/{project_uuid}',
      '/sites/{project_uuid}/{proxy+}',
      '/apps/{projectKey}/{deploymentId}/{applicationName}',
      '/apps/{projectKey}/{deploymentId}/{applicationName}/{proxy+}',
    ]);
  });

  it('carries the request schemas the handlers validate with', () => {
    const create = doc.paths['/{projectKey}/deployments'].post;
    const body = create.requestBody.content['application/json'].schema;
    const list = doc.paths['/{projectKey}/deployments'].get;
    const limit = list.parameters.find((p: JsonBody) => p.name === 'limit' && p.in === 'query');
    const sort = list.parameters.find((p: JsonBody) => p.name === 'sort');

    expect(body.required).toEqual(expect.arrayContaining(['region']));
    expect(body.additionalProperties).toBe(false);
    expect(Object.keys(body.properties)).toEqual(
      expect.arrayContaining([
        'key',
        'type',
        'connector',
        'artifact',
        'configurations',
        'globalConfiguration',
        'region',
      ]),
    );
    expect(limit.schema.description).toBe('a whole number from 1 to 500');
    expect(JSON.stringify(sort)).toContain('createdAt');
    expect(create.responses).toHaveProperty('201');
    expect(create.responses['409'].content['application/json'].schema.$ref).toBe(
      '#/components/schemas/ErrorResponse',
    );
  });

  it('says a page of logs always carries `next`, a page token or null on the last page', () => {
    const ok = doc.paths['/{projectKey}/deployments/{deploymentRef}/logs'].get.responses['200'];
    const ref: string = ok.content['application/json'].schema.$ref;
    const page = doc.components.schemas[ref.replace('#/components/schemas/', '')];

    expect(page.required).toEqual(expect.arrayContaining(['data', 'next']));
    expect(page.properties.next.type).toEqual(['string', 'null']);
  });

  it('marks public routes as needing no token, and names the scopes of the others', () => {
    expect(doc.paths['/health'].get.security).toEqual([]);
    expect(doc.paths['/connectors/drafts'].post.description).toContain('manage_connectors');
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
  });
});
