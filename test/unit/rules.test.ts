import { describe, expect, it } from 'vitest';
import { scryptHasher } from '../../functions/adapters/auth/scrypt-hasher.ts';
import {
  expandScopes,
  hasAnyScope,
  isWellFormedScope,
  scopeImplies,
} from '../../functions/core/auth/scopes.ts';
import { matchRoute, ROUTES, routeKey } from '../../functions/http/routes.ts';

describe('scopes', () => {
  it.each([
    ['admin', 'manage_connectors', true],
    ['admin', 'view_connectors_deployments:shop', true],
    ['manage_project:shop', 'view_connectors_deployments:shop', true],
    ['manage_project:shop', 'manage_connectors_deployments:shop', true],
    ['manage_project:shop', 'view_connectors_deployments:other', false],
    ['manage_project:shop', 'admin', false],
    ['manage_project:shop', 'manage_connectors', false],
    ['view_connectors_deployments', 'view_connectors_deployments:any-project', true],
    ['manage_connectors_deployments:shop', 'view_connectors_deployments:shop', true],
    ['view_connectors_deployments:shop', 'manage_connectors_deployments:shop', false],
    ['manage_connectors', 'view_connectors', true],
    ['view_connectors', 'manage_connectors', false],
  ])('%s implies %s: %s', (granted, required, expected) => {
    expect(scopeImplies(granted, required)).toBe(expected);
  });

  it('grants when any held scope implies any accepted scope', () => {
    expect(
      hasAnyScope(['view_connectors', 'manage_project:a'], ['admin', 'view_connectors_deployments:a']),
    ).toBe(true);
    expect(hasAnyScope(['view_connectors'], ['admin', 'view_connectors_deployments:a'])).toBe(false);
  });

  it('expands path parameters into scope templates', () => {
    expect(expandScopes(['manage_project:{projectKey}', 'admin'], { projectKey: 'shop' })).toEqual([
      'manage_project:shop',
      'admin',
    ]);
  });

  it.each([
    ['admin', true],
    ['manage_project:my-shop_1', true],
    ['Manage_project', false],
    ['manage_project:', false],
    ['manage project', false],
  ])('judges %j well-formed: %s', (scope, expected) => {
    expect(isWellFormedScope(scope)).toBe(expected);
  });
});

describe('route matching', () => {
  it('prefers a literal segment over a parameter', () => {
    expect(matchRoute('GET', '/projects')).toMatchObject({ kind: 'route', route: { path: '/projects' } });
  });

  it('decodes path parameters', () => {
    expect(matchRoute('GET', '/projects/a%2Fb')).toMatchObject({ pathParameters: { projectKey: 'a/b' } });
  });

  it('does not match malformed percent-encoding or an empty segment', () => {
    expect(matchRoute('GET', '/projects/%E0%A4%A').kind).toBe('not-found');
    expect(matchRoute('GET', '/projects/').kind).toBe('not-found');
  });

  it('lists the methods a known path allows', () => {
    expect(matchRoute('DELETE', '/projects')).toEqual({
      kind: 'method-not-allowed',
      allowed: ['POST', 'GET', 'HEAD'],
    });
  });

  it("protects every route except health, the OAuth endpoints (clients authenticate themselves), the API description, the projects' websites and the services' stable addresses", () => {
    const publicRoutes = ROUTES.filter((r) => r.scopes === null).map(routeKey);

    expect(publicRoutes).toEqual([
      'GET /health',
      'POST /oauth/token',
      'POST /oauth/revoke',
      'POST /oauth/introspect',
      'GET /openapi.json',
      'ANY /sites/{project_uuid}',
      'ANY /sites/{project_uuid}/{proxy+}',
      'ANY /apps/{projectKey}/{deploymentId}/{applicationName}',
      'ANY /apps/{projectKey}/{deploymentId}/{applicationName}/{proxy+}',
    ]);
  });

  it('gives a greedy last segment the rest of the path, raw, and any method to an ANY route', () => {
    const match = matchRoute('POST', '/sites/abc/api/items%20x/1');
    const root = matchRoute('GET', '/sites/abc/');
    const bare = matchRoute('DELETE', '/sites/abc');

    expect(match).toMatchObject({
      kind: 'route',
      route: { path: '/sites/{project_uuid}/{proxy+}' },
      pathParameters: { project_uuid: 'abc', proxy: 'api/items%20x/1' },
    });
    expect(root).toMatchObject({ kind: 'route', pathParameters: { project_uuid: 'abc', proxy: '' } });
    expect(bare).toMatchObject({ kind: 'route', route: { path: '/sites/{project_uuid}' } });
    expect(matchRoute('GET', '/sites').kind).toBe('not-found');
  });
});

describe('scrypt secret hashing', () => {
  it('verifies the secret it hashed and rejects another', async () => {
    const hash = await scryptHasher.hash('correct horse');

    expect(await scryptHasher.verify('correct horse', hash)).toBe(true);
    expect(await scryptHasher.verify('wrong horse', hash)).toBe(false);
  });

  it('salts every hash', async () => {
    expect(await scryptHasher.hash('same')).not.toBe(await scryptHasher.hash('same'));
  });

  it('rejects a malformed hash instead of throwing', async () => {
    expect(await scryptHasher.verify('x', 'bcrypt$whatever')).toBe(false);
    expect(await scryptHasher.verify('x', '')).toBe(false);
  });
});
