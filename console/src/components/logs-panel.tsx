import { useEffect, useRef, useState } from 'preact/hooks';
import { api, read } from '../api/client.ts';
import type { LogEntry, LogPage } from '../api/types.ts';
import { absoluteTime } from '../logic/format.ts';
import { appendLogs, followFrom, logText } from '../logic/logs.ts';
import { ErrorNote } from './common.tsx';

/** How many pages one look reads at most (500 lines each): a long backlog arrives over several looks. */
const PAGES_PER_LOOK = 4;

const readNewLines = async (projectKey: string, deploymentRef: string, from: string | undefined) => {
  const lines: LogEntry[] = [];
  let pageToken: string | undefined;
  for (let n = 0; n < PAGES_PER_LOOK; n++) {
    const page: LogPage = await read(
      api.GET('/{projectKey}/deployments/{deploymentRef}/logs', {
        params: {
          path: { projectKey, deploymentRef },
          query: {
            limit: '500',
            ...(from ? { startDate: from } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
        },
      }),
    );
    lines.push(...page.data);
    if (!page.next) break;
    pageToken = page.next;
  }
  return lines;
};

/**
 * The deployment's logs (build, scripts and its applications' output), following new lines
 * as they are written: read again every second from the newest line seen. Pause stops
 * following (and scrolling) until resumed.
 */
export const LogsPanel = ({ projectKey, deploymentRef }: { projectKey: string; deploymentRef: string }) => {
  const [lines, setLines] = useState<LogEntry[]>([]);
  const [paused, setPaused] = useState(false);
  const [error, setError] = useState<string>();
  const box = useRef<HTMLOListElement>(null);
  const known = useRef<LogEntry[]>([]);

  useEffect(() => {
    known.current = [];
    setLines([]);
  }, [projectKey, deploymentRef]);

  useEffect(() => {
    if (paused) return;
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let looking = false;
    // As the page's other live reads: no reads while the tab is hidden, one as it shows again.
    const look = async () => {
      if (looking || !live || document.visibilityState !== 'visible') return;
      looking = true;
      clearTimeout(timer);
      try {
        const fresh = await readNewLines(projectKey, deploymentRef, followFrom(known.current));
        const next = appendLogs(known.current, fresh);
        if (live && next !== known.current) {
          known.current = next;
          setLines(next);
        }
        if (live) setError(undefined);
      } catch (caught) {
        if (live) setError(caught instanceof Error ? caught.message : String(caught));
      }
      looking = false;
      if (live) timer = setTimeout(look, 1_000);
    };
    const onVisible = () => void look();
    document.addEventListener('visibilitychange', onVisible);
    void look();
    return () => {
      live = false;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [projectKey, deploymentRef, paused]);

  // Following: keep the newest line in view (no scrolling while paused, so it can be read).
  useEffect(() => {
    const element = box.current;
    if (element && !paused) element.scrollTop = element.scrollHeight;
  }, [lines]);

  return (
    <section class="panel" aria-labelledby="logs-heading">
      <div class="panel-head">
        <h2 id="logs-heading">Logs</h2>
        {/* Only the state is announced: a live count would be read out at every new line. */}
        <span class="muted">
          <span role="status">{paused ? 'Paused' : 'Following'}</span> · {lines.length} lines
        </span>
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      </div>
      <ErrorNote error={error} />
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling box must be reachable by keyboard to be scrolled (WCAG 2.1.1) */}
      <ol class="logs" ref={box} tabIndex={0} aria-label="Log lines">
        {lines.length === 0 ? <li class="muted">No lines yet.</li> : null}
        {lines.map((line, index) => (
          <li key={`${line.timestamp}-${index}`} class={`log log-${line.severity.toLowerCase()}`}>
            <time dateTime={line.timestamp}>{absoluteTime(line.timestamp).slice(11, 19)}</time>
            <span class="log-app">{line.applicationName}</span>
            <span class="log-text">{logText(line)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
};
