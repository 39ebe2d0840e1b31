import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { pathOf, type Route, routeOf } from './logic/routes.ts';

const listeners = new Set<() => void>();
const notify = () => {
  for (const listener of listeners) listener();
};
addEventListener('popstate', notify);

/** Shows `route` without reloading the page (history.pushState). */
export const navigate = (route: Route | string, replace = false): void => {
  const path = typeof route === 'string' ? route : pathOf(route);
  if (path === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  notify();
};

export const useRoute = (): Route => {
  const [route, setRoute] = useState(() => routeOf(location.pathname));
  useEffect(() => {
    const update = () => setRoute(routeOf(location.pathname));
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return route;
};

/** The URL's query string, read again as history moves (Back included). */
export const useQuery = (): URLSearchParams => {
  const [search, setSearch] = useState(() => location.search);
  useEffect(() => {
    const update = () => setSearch(location.search);
    listeners.add(update);
    return () => {
      listeners.delete(update);
    };
  }, []);
  return new URLSearchParams(search);
};

interface LinkProps {
  to: Route;
  class?: string;
  children: ComponentChildren;
}

/** A link to a console page: a real `<a href>` (new tab, copy link), followed in place. */
export const Link = ({ to, children, class: className }: LinkProps) => {
  const href = pathOf(to);
  const onClick = (event: MouseEvent) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey)
      return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a class={className} href={href} onClick={onClick}>
      {children}
    </a>
  );
};
