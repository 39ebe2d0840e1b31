import { useState } from 'preact/hooks';
import { api, read } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import type { Deployment, Paged, Project, StoreProject } from '../api/types.ts';
import { ErrorNote, Pager, StatusBadge, TableBox, Time } from '../components/common.tsx';
import { useFocusHeading, useLoad } from '../hooks.ts';
import { PAGE_SIZE } from '../logic/listing.ts';
import { projectsInScope } from '../logic/scope.ts';
import { isInProgress } from '../logic/status.ts';
import { Link } from '../router.tsx';

interface ProjectRow {
  project: Project;
  latest?: Deployment;
  /** The BigCommerce dialect's view of it: its site's host once a deployment serves it. */
  site?: StoreProject;
}

const latestDeployment = async (projectKey: string): Promise<Deployment | undefined> => {
  const page = await read<Paged<Deployment>>(
    api.GET('/{projectKey}/deployments', {
      params: { path: { projectKey }, query: { limit: '1', sort: 'createdAt desc' } },
    }),
  );
  return page.results[0];
};

/** The store's projects, when the token may read them (admin or a store scope); else none. */
const storeProjects = async (tenant: string | undefined): Promise<Map<string, StoreProject>> => {
  if (!tenant) return new Map();
  try {
    const page = await read<{ data: StoreProject[] }>(
      api.GET('/stores/{store_hash}/v3/infrastructure/projects', {
        params: { path: { store_hash: tenant }, query: { limit: '250' } },
      }),
    );
    return new Map(page.data.map((p) => [p.uuid, p]));
  } catch {
    return new Map();
  }
};

/**
 * The tenant's projects: one list for both dialects (a BigCommerce project is a Connect
 * project too), each with its latest deployment and, for a BigCommerce site, its address.
 */
export const ProjectsPage = ({ session }: { session: Session }) => {
  const heading = useFocusHeading('projects');
  const [page, setPage] = useState(1);
  const loaded = useLoad(
    async () => {
      const [projects, sites] = await Promise.all([
        read<Paged<Project>>(
          api.GET('/projects', {
            params: { query: { limit: String(PAGE_SIZE), offset: String((page - 1) * PAGE_SIZE) } },
          }),
        ),
        storeProjects(session.tenant),
      ]);
      const rows = await Promise.all(
        projects.results.map(async (project): Promise<ProjectRow> => {
          const latest = await latestDeployment(project.key).catch(() => undefined);
          const site = sites.get(project.id);
          return { project, ...(latest ? { latest } : {}), ...(site ? { site } : {}) };
        }),
      );
      return { rows, total: projects.total };
    },
    [page, session.token],
    (data) => (data?.rows.some((row) => row.latest && isInProgress(row.latest.status)) ? 2_000 : 10_000),
  );
  const pages = Math.max(1, Math.ceil((loaded.data?.total ?? 0) / PAGE_SIZE));
  // A project-scoped token may not list projects, but may open the ones its scope names.
  const scoped = loaded.error?.status === 403 ? projectsInScope(session.scope) : [];

  return (
    <main id="main">
      <h1 ref={heading} tabIndex={-1}>
        Projects
      </h1>
      {scoped.length > 0 ? (
        <>
          <p>This token may not list projects, but it reaches these:</p>
          <ul aria-label="Projects in this token's scope">
            {scoped.map((key) => (
              <li key={key}>
                <Link to={{ page: 'project', projectKey: key }}>{key}</Link>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <ErrorNote error={loaded.error} />
      )}
      {loaded.loading && !loaded.data ? <p role="status">Loading projects…</p> : null}
      {loaded.data && loaded.data.rows.length === 0 ? (
        <p>
          No projects yet. Make one with <code>POST /projects</code> or the CLI, then deploy to it here.
        </p>
      ) : null}
      {loaded.data && loaded.data.rows.length > 0 ? (
        <TableBox label="Projects table">
          <table aria-label="Projects">
            <thead>
              <tr>
                <th scope="col">Project</th>
                <th scope="col">Latest deployment</th>
                <th scope="col">Status</th>
                <th scope="col">Last change</th>
                <th scope="col">Site</th>
              </tr>
            </thead>
            <tbody>
              {loaded.data.rows.map(({ project, latest, site }) => (
                <tr key={project.id}>
                  <th scope="row">
                    <Link to={{ page: 'project', projectKey: project.key }}>{project.key}</Link>
                    {project.name && project.name !== project.key ? (
                      <span class="sub">{project.name}</span>
                    ) : null}
                  </th>
                  <td>
                    {latest ? (
                      <Link to={{ page: 'deployment', projectKey: project.key, deploymentKey: latest.key }}>
                        {latest.key}
                      </Link>
                    ) : (
                      <span class="muted">None yet</span>
                    )}
                  </td>
                  <td>{latest ? <StatusBadge status={latest.status} /> : <span class="muted">—</span>}</td>
                  <td>
                    <Time iso={latest?.lastModifiedAt ?? project.lastModifiedAt} />
                  </td>
                  <td>
                    {site?.deployment_hostnames.length ? (
                      <a href={`//${site.deployment_hostnames[0]}/sites/${site.uuid}/`}>BigCommerce site</a>
                    ) : (
                      <span class="muted">—</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      ) : null}
      <Pager page={page} pages={pages} label="Projects" onPage={setPage} />
    </main>
  );
};
