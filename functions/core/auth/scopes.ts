/**
 * Scope rules. Connect scopes are per project (`view_connectors_deployments:{projectKey}`);
 * Slipway adds two conveniences, both documented in the README:
 * - `manage_project:{key}` implies every project-scoped scope of that project, as in commercetools;
 * - a scope without its `:{projectKey}` part applies to every project of the client's tenant;
 * - `admin` implies everything within the tenant (projects, clients, all scopes).
 */

export const ADMIN_SCOPE = 'admin';

const SCOPE_PATTERN = /^[a-z_]+(:[A-Za-z0-9_-]{2,256})?$/;

export const isWellFormedScope = (scope: string): boolean => SCOPE_PATTERN.test(scope);

const split = (scope: string): { name: string; project?: string } => {
  const at = scope.indexOf(':');
  return at < 0 ? { name: scope } : { name: scope.slice(0, at), project: scope.slice(at + 1) };
};

const projectScopedNames = new Set([
  'manage_project',
  'manage_connectors_deployments',
  'view_connectors_deployments',
]);

/** Does holding `granted` give the right `required` asks for? */
export const scopeImplies = (granted: string, required: string): boolean => {
  if (granted === ADMIN_SCOPE || granted === required) return true;
  const g = split(granted);
  const r = split(required);
  const projectMatches = g.project === undefined || g.project === r.project;
  if (!projectMatches) return false;
  if (g.name === r.name) return true;
  if (g.name === 'manage_project' && projectScopedNames.has(r.name)) return true;
  if (g.name === 'manage_connectors_deployments' && r.name === 'view_connectors_deployments') return true;
  if (g.name === 'manage_connectors' && r.name === 'view_connectors') return true;
  if (g.name === 'manage_api_clients' && r.name === 'view_api_clients') return true;
  return false;
};

export const hasAnyScope = (granted: readonly string[], anyOf: readonly string[]): boolean =>
  anyOf.some((required) => granted.some((g) => scopeImplies(g, required)));

/** The first of `wanted` that nothing `granted` implies: what a credential beyond the holder's would add. */
export const firstScopeBeyond = (granted: readonly string[], wanted: readonly string[]): string | undefined =>
  wanted.find((scope) => !hasAnyScope(granted, [scope]));

/** Replaces `{param}` placeholders in scope templates with path parameter values. */
export const expandScopes = (
  templates: readonly string[],
  params: Record<string, string | undefined>,
): string[] => templates.map((t) => t.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? ''));
