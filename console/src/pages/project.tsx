import { useMemo } from 'preact/hooks';
import { api, read } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import type { Deployment, Paged } from '../api/types.ts';
import { ErrorNote, Pager, StatusBadge, TableBox, Time } from '../components/common.tsx';
import { DeployDrop } from '../components/deploy-drop.tsx';
import { useFocusHeading, useLoad } from '../hooks.ts';
import { countByStatus, pageOf, withStatus } from '../logic/listing.ts';
import { pathOf, withQuery } from '../logic/routes.ts';
import { connectorLabel, isInProgress, STATUSES } from '../logic/status.ts';
import { Link, navigate, useQuery } from '../router.tsx';

/** How many deployments the page reads (newest first): four pages of the API's largest. */
const MAX_DEPLOYMENTS = 2_000;

/** Every deployment of the project, newest first, walking the listing by cursor. */
const allDeployments = async (projectKey: string): Promise<Deployment[]> => {
  const all: Deployment[] = [];
  let cursor: string | undefined;
  do {
    const page: Paged<Deployment> = await read(
      api.GET('/{projectKey}/deployments', {
        params: {
          path: { projectKey },
          query: { limit: '500', sort: 'createdAt desc', ...(cursor ? { cursor } : {}) },
        },
      }),
    );
    all.push(...page.results);
    cursor = page.nextCursor;
  } while (cursor && all.length < MAX_DEPLOYMENTS);
  return all;
};

const Applications = ({ deployment }: { deployment: Deployment }) => {
  const linked = deployment.applications.filter((a) => a.url);
  if (linked.length === 0) return <span class="muted">—</span>;
  return (
    <ul class="inline-list">
      {linked.map((a) => (
        <li key={a.id}>
          <a href={a.url} target="_blank" rel="noopener noreferrer">
            {a.applicationName}
          </a>
        </li>
      ))}
    </ul>
  );
};

/**
 * A project's deployments, live: the table is read again every second while one is in
 * progress (every five otherwise), so a status change shows without a reload.
 */
export const ProjectPage = ({ session, projectKey }: { session: Session; projectKey: string }) => {
  const heading = useFocusHeading(`project:${projectKey}`);
  // The filter and page live in the URL (replacing the entry, not adding one), so Back from a
  // deployment returns to them.
  const query = useQuery();
  const status = query.get('status') ?? '';
  const page = Number(query.get('page')) || 1;
  const show = (next: { status: string; page: number }) =>
    navigate(
      withQuery(pathOf({ page: 'project', projectKey }), {
        status: next.status,
        page: next.page > 1 ? String(next.page) : '',
      }),
      true,
    );
  const loaded = useLoad(
    () => allDeployments(projectKey),
    [projectKey, session.token],
    // No such project: nothing to follow, and nothing to deploy to.
    (data, error) =>
      error?.status === 404 ? undefined : data?.some((d) => isInProgress(d.status)) ? 1_000 : 5_000,
  );
  const gone = loaded.error?.status === 404;
  const deployments = loaded.data ?? [];
  const counts = useMemo(() => countByStatus(deployments), [deployments]);
  const view = pageOf(withStatus(deployments, status), page);
  const taken = useMemo(() => new Set(deployments.map((d) => d.key)), [deployments]);

  return (
    <main id="main">
      <p class="crumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /
      </p>
      <h1 ref={heading} tabIndex={-1}>
        {projectKey}
      </h1>
      {gone ? (
        <p role="status">
          This project does not exist. <Link to={{ page: 'projects' }}>See the projects</Link>.
        </p>
      ) : (
        <>
          <DeployDrop projectKey={projectKey} takenKeys={taken} />
          <div class="toolbar">
            <label for="status-filter">Status</label>
            <select
              id="status-filter"
              value={status}
              onChange={(event) => {
                show({ status: (event.currentTarget as HTMLSelectElement).value, page: 1 });
              }}
            >
              <option value="">All ({deployments.length})</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s} ({counts.get(s) ?? 0})
                </option>
              ))}
            </select>
          </div>
          <ErrorNote error={loaded.error} />
          {loaded.loading && !loaded.data ? <p role="status">Loading deployments…</p> : null}
          <TableBox label="Deployments table">
            <table aria-label="Deployments">
              <thead>
                <tr>
                  <th scope="col">Key</th>
                  <th scope="col">Status</th>
                  <th scope="col">Connector</th>
                  <th scope="col">Last change</th>
                  <th scope="col">Applications</th>
                </tr>
              </thead>
              <tbody>
                {view.items.map((d) => (
                  <tr key={d.id} data-key={d.key}>
                    <th scope="row">
                      <Link to={{ page: 'deployment', projectKey, deploymentKey: d.key }}>{d.key}</Link>
                    </th>
                    <td>
                      <StatusBadge status={d.status} />
                    </td>
                    <td>
                      {connectorLabel(d.connector)} <span class="muted">v{d.connector.version}</span>
                    </td>
                    <td>
                      <Time iso={d.lastModifiedAt} />
                    </td>
                    <td>
                      <Applications deployment={d} />
                    </td>
                  </tr>
                ))}
                {loaded.data && view.items.length === 0 ? (
                  <tr>
                    <td colSpan={5} class="muted">
                      {status ? `No deployment is ${status}.` : 'No deployments yet: drop a zip above.'}
                    </td>
                  </tr>
                ) : null}
              </tbody>
            </table>
          </TableBox>
          <Pager
            page={view.page}
            pages={view.pages}
            label="Deployments"
            onPage={(next) => show({ status, page: next })}
          />
        </>
      )}
    </main>
  );
};
