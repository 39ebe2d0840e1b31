/**
 * The projects a token's scope names (`view_project:demo`, `manage_project:demo`), in the
 * order given, each once: a project-scoped token may not list projects (403), but may open
 * these.
 */
export const projectsInScope = (scope: string | undefined): string[] => {
  const keys = (scope ?? '')
    .split(/\s+/)
    .map((item) => /^(?:view|manage)_project:(.+)$/.exec(item)?.[1])
    .filter((key): key is string => key !== undefined);
  return [...new Set(keys)];
};
