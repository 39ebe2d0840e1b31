/**
 * How Connect addresses a resource in a path segment: its id, or `key=<key>`. API Gateway
 * has no path parameters covering part of a segment, so the route takes the whole segment
 * and this tells the two apart.
 */
export type ResourceRef = { id: string } | { key: string };

export const parseRef = (segment: string): ResourceRef =>
  segment.startsWith('key=') ? { key: segment.slice('key='.length) } : { id: segment };

/** How an error message names the reference: `id 'x'` or `key 'y'`. */
export const describeRef = (ref: ResourceRef) => ('key' in ref ? `key '${ref.key}'` : `id '${ref.id}'`);
