/** The console's pages and their paths under /console/ (pure: unit-tested). */

export const BASE = '/console/';

export type Route =
  | { page: 'projects' }
  | { page: 'project'; projectKey: string }
  | { page: 'deployment'; projectKey: string; deploymentKey: string }
  | { page: 'connectors' }
  | { page: 'not-found'; path: string };

const segment = (value: string) => encodeURIComponent(value);

export const pathOf = (route: Route): string => {
  switch (route.page) {
    case 'projects':
      return BASE;
    case 'project':
      return `${BASE}projects/${segment(route.projectKey)}`;
    case 'deployment':
      return `${BASE}projects/${segment(route.projectKey)}/deployments/${segment(route.deploymentKey)}`;
    case 'connectors':
      return `${BASE}connectors`;
    case 'not-found':
      return route.path;
  }
};

const decode = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
};

export const routeOf = (pathname: string): Route => {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : undefined;
  if (rest === undefined) return { page: 'not-found', path: pathname };
  const parts = rest.split('/').filter((part) => part !== '');
  const [first, projectKey, third, deploymentKey, ...extra] = parts.map(decode);
  if (parts.length === 0) return { page: 'projects' };
  if (first === 'connectors' && parts.length === 1) return { page: 'connectors' };
  if (first === 'projects' && projectKey && parts.length === 2) return { page: 'project', projectKey };
  if (first === 'projects' && projectKey && third === 'deployments' && deploymentKey && extra.length === 0)
    return { page: 'deployment', projectKey, deploymentKey };
  return { page: 'not-found', path: pathname };
};

/**
 * `path` with `values` as its query string, the empty ones left out: a page's view state
 * (filter, page number) kept in the URL, so Back and a copied link bring it back.
 */
export const withQuery = (path: string, values: Record<string, string>): string => {
  const query = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== '')).toString();
  return query ? `${path}?${query}` : path;
};
