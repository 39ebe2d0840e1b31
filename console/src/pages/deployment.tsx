import { useRef, useState } from 'preact/hooks';
import { api, read, readTagged, type Tagged } from '../api/client.ts';
import type { Session } from '../api/session.ts';
import type { Deployment, StoreDeployment, TrailStep } from '../api/types.ts';
import { ErrorNote, StatusBadge, Time } from '../components/common.tsx';
import { DeploymentActions } from '../components/deployment-actions.tsx';
import { LogsPanel } from '../components/logs-panel.tsx';
import { Revisions } from '../components/revisions.tsx';
import { Timeline } from '../components/timeline.tsx';
import { useFocusHeading, useLoad } from '../hooks.ts';
import { configurationOf } from '../logic/configuration.ts';
import { connectorLabel, isInProgress } from '../logic/status.ts';
import { Link } from '../router.tsx';

/**
 * The steps a deploy went through, from the BigCommerce dialect's view of the same deployment
 * (a Connect deployment has no steps of its own): read when the token may (admin, or a store
 * scope); none otherwise, and the timeline then shows the status alone.
 */
const trailOf = async (tenant: string | undefined, id: string): Promise<TrailStep[]> => {
  if (!tenant) return [];
  try {
    const answer = await read<{ data: StoreDeployment }>(
      api.GET('/stores/{store_hash}/v3/infrastructure/deployments/{deployment_uuid}', {
        params: { path: { store_hash: tenant, deployment_uuid: id } },
      }),
    );
    return answer.data.steps;
  } catch {
    return [];
  }
};

const Report = ({ deployment }: { deployment: Deployment }) => {
  const entries = deployment.details.build.report.entries;
  return (
    <section class="panel" aria-labelledby="report-heading">
      <h2 id="report-heading">Report</h2>
      {entries.length === 0 ? <p class="muted">No entries yet.</p> : null}
      <ul class="report">
        {entries.map((entry, index) => (
          <li key={`${entry.createdAt}-${index}`} class={`entry entry-${entry.type.toLowerCase()}`}>
            <strong class="entry-type">{entry.type}</strong> <span class="entry-title">{entry.title}</span>
            {entry.application ? <span class="muted"> · {entry.application}</span> : null}
            {entry.message ? <p class="entry-message">{entry.message}</p> : null}
            <span class="entry-time">
              <Time iso={entry.createdAt} />
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
};

const Applications = ({ deployment }: { deployment: Deployment }) => (
  <section class="panel" aria-labelledby="apps-heading">
    <h2 id="apps-heading">Applications</h2>
    {deployment.applications.length === 0 ? <p class="muted">None hosted yet.</p> : null}
    <ul class="apps">
      {deployment.applications.map((a) => (
        <li key={a.id}>
          <strong>{a.applicationName}</strong>{' '}
          {a.url ? (
            <a href={a.url} target="_blank" rel="noopener noreferrer">
              {a.url}
            </a>
          ) : null}
          {a.topic ? <span>topic {a.topic}</span> : null}
          {a.schedule ? <span>schedule {a.schedule}</span> : null}
        </li>
      ))}
    </ul>
  </section>
);

const Configuration = ({ deployment }: { deployment: Deployment }) => (
  <section class="panel" aria-labelledby="config-heading">
    <h2 id="config-heading">Configuration</h2>
    {configurationOf(deployment).map((app) => (
      <div key={app.applicationName}>
        <h3>
          {app.applicationName}{' '}
          {app.applicationType ? <span class="muted">({app.applicationType})</span> : null}
        </h3>
        {app.rows.length === 0 ? (
          <p class="muted">No configuration.</p>
        ) : (
          <dl class="config">
            {app.rows.map((row) => (
              <div key={row.key}>
                <dt>{row.key}</dt>
                <dd>
                  {row.secured ? (
                    <span class={row.set ? 'secret-set' : 'muted'}>
                      {row.set ? 'secured · set' : 'secured · unset'}
                    </span>
                  ) : row.set ? (
                    <>
                      <code>{row.value}</code>
                      {row.fromDefault ? <span class="muted"> (default)</span> : null}
                    </>
                  ) : (
                    <span class="muted">unset</span>
                  )}
                </dd>
              </div>
            ))}
          </dl>
        )}
      </div>
    ))}
  </section>
);

/** One deployment, live: status, steps, report, applications, configuration, revisions, logs. */
export const DeploymentPage = ({
  session,
  projectKey,
  deploymentKey,
}: {
  session: Session;
  projectKey: string;
  deploymentKey: string;
}) => {
  const heading = useFocusHeading(`deployment:${projectKey}:${deploymentKey}`);
  const [deleted, setDeleted] = useState(false);
  const last = useRef<{ key: string; tagged?: Tagged<Deployment>; steps: TrailStep[] }>({
    key: '',
    steps: [],
  });
  const loaded = useLoad(
    async () => {
      const key = `${projectKey}/${deploymentKey}`;
      const previous = last.current.key === key ? last.current.tagged : undefined;
      const tagged = await readTagged<Deployment>(
        api.GET('/{projectKey}/deployments/{deploymentRef}', {
          params: { path: { projectKey, deploymentRef: `key=${deploymentKey}` } },
          headers: previous?.etag ? { 'if-none-match': previous.etag } : {},
        }),
        previous,
      );
      // The steps move only with the deployment: read again when its version moved.
      const steps = tagged === previous ? last.current.steps : await trailOf(session.tenant, tagged.data.id);
      last.current = { key, tagged, steps };
      return { deployment: tagged.data, steps };
    },
    [projectKey, deploymentKey, session.token],
    // Gone (deleted here or elsewhere): nothing more to follow.
    (data, error) =>
      error?.status === 404
        ? undefined
        : data && !isInProgress(data.deployment.status) && !deleted
          ? 5_000
          : 1_000,
  );
  const deployment = loaded.data?.deployment;
  const gone = loaded.error?.status === 404;

  return (
    <main id="main">
      <p class="crumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
        <Link to={{ page: 'project', projectKey }}>{projectKey}</Link> /
      </p>
      <div class="title-line">
        <h1 ref={heading} tabIndex={-1}>
          {deploymentKey}
        </h1>
        {deployment && !gone ? <StatusBadge status={deployment.status} /> : null}
      </div>
      {gone ? (
        <p role="status">
          {deleted ? 'Deleted.' : 'This deployment does not exist (any more).'}{' '}
          <Link to={{ page: 'project', projectKey }}>Back to {projectKey}</Link>
        </p>
      ) : (
        <ErrorNote error={loaded.error} />
      )}
      {loaded.loading && !deployment ? <p role="status">Loading…</p> : null}
      {deployment && !gone ? (
        <>
          <p class="facts">
            <span>
              Connector {connectorLabel(deployment.connector)} v{deployment.connector.version}
            </span>
            <span>Region {deployment.deployedRegion ?? '—'}</span>
            <span>Type {deployment.type}</span>
            <span>
              Last change <Time iso={deployment.lastModifiedAt} />
            </span>
            {deployment.rollbackRevision ? (
              <span>Rolled back to revision {deployment.rollbackRevision}</span>
            ) : null}
          </p>
          <DeploymentActions
            projectKey={projectKey}
            deployment={deployment}
            onDone={(action) => {
              if (action === 'delete') setDeleted(true);
              loaded.refresh();
            }}
          />
          <div class="grid">
            <Timeline status={deployment.status} steps={loaded.data?.steps ?? []} />
            <Report deployment={deployment} />
            <Applications deployment={deployment} />
            <Configuration deployment={deployment} />
          </div>
          <Revisions projectKey={projectKey} deployment={deployment} onRolledBack={loaded.refresh} />
          <LogsPanel projectKey={projectKey} deploymentRef={deployment.id} />
        </>
      ) : null}
    </main>
  );
};
