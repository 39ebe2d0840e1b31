import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api/client.ts';

export interface Loaded<T> {
  data?: T;
  error?: ApiError;
  loading: boolean;
  /** Loads again now (after an action), whatever the schedule. */
  refresh: () => void;
}

/**
 * Loads with `load`, then again after `every(data)` milliseconds for as long as the page shows
 * (no timer while the tab is hidden; the next look happens as it shows again). `every`
 * returning undefined stops; it is given the last load's error too (to stop on a 404). Each load starts after the previous one ended, so a slow API is
 * never asked twice at once.
 */
export const useLoad = <T>(
  load: () => Promise<T>,
  deps: readonly unknown[],
  every?: (data: T | undefined, error?: ApiError) => number | undefined,
): Loaded<T> => {
  const [state, setState] = useState<{ data?: T; error?: ApiError; loading: boolean }>({ loading: true });
  const run = useRef<() => void>(() => undefined);
  const everyRef = useRef(every);
  everyRef.current = every;

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let busy = false;
    let last: T | undefined;
    let lastError: ApiError | undefined;
    const schedule = () => {
      clearTimeout(timer);
      const wait = everyRef.current?.(last, lastError);
      if (wait !== undefined && live && document.visibilityState === 'visible')
        timer = setTimeout(tick, wait);
    };
    const tick = async () => {
      if (busy || !live) return;
      busy = true;
      try {
        const data = await load();
        last = data;
        lastError = undefined;
        if (live) setState({ data, loading: false });
      } catch (error) {
        const apiError = error instanceof ApiError ? error : new ApiError(0, String(error));
        lastError = apiError;
        if (live) setState((previous) => ({ ...previous, error: apiError, loading: false }));
      } finally {
        busy = false;
        schedule();
      }
    };
    run.current = () => void tick();
    const onVisible = () => {
      if (document.visibilityState === 'visible') void tick();
    };
    document.addEventListener('visibilitychange', onVisible);
    setState({ loading: true });
    void tick();
    return () => {
      live = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, deps);

  const refresh = useCallback(() => run.current(), []);
  return { ...state, refresh };
};

/** Moves focus to the page's heading when the page changes, so screen readers announce it. */
export const useFocusHeading = (key: string) => {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    ref.current?.focus();
  }, [key]);
  return ref;
};
