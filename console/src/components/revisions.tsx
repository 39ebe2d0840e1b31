import { useState } from 'preact/hooks';
import { api, read } from '../api/client.ts';
import type { Deployment, Paged, Revision } from '../api/types.ts';
import { useLoad } from '../hooks.ts';
import { isSettled } from '../logic/status.ts';
import { ConfirmDialog, ErrorNote, TableBox, Time } from './common.tsx';

/**
 * The deployment's revisions (every deploy that reached Deployed, newest first), each with a
 * Rollback action: the revision's connector version and configuration are deployed again,
 * from its kept build when there is one (docs/revisions.md).
 */
export const Revisions = ({
  projectKey,
  deployment,
  onRolledBack,
}: {
  projectKey: string;
  deployment: Deployment;
  onRolledBack: () => void;
}) => {
  const revisions = useLoad(
    () =>
      read<Paged<Revision>>(
        api.GET('/{projectKey}/deployments/{deploymentRef}/revisions', {
          params: { path: { projectKey, deploymentRef: deployment.id }, query: { limit: '20' } },
        }),
      ),
    // The version moves with every change, a rollback between two polls included (Deployed to
    // Deployed) or one made from the CLI: the status alone would leave "Current" on the old row.
    [projectKey, deployment.id, deployment.version],
  );
  const [target, setTarget] = useState<Revision>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const newest = revisions.data?.results[0]?.revision;

  const rollback = async (revision: Revision) => {
    setBusy(true);
    setError(undefined);
    try {
      await read(
        api.POST('/{projectKey}/deployments/{deploymentRef}/rollback', {
          params: { path: { projectKey, deploymentRef: deployment.id } },
          body: { version: deployment.version, revision: revision.revision },
        }),
      );
      setTarget(undefined);
      onRolledBack();
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="revisions-heading">
      <h2 id="revisions-heading">Revisions</h2>
      <ErrorNote error={revisions.error} />
      {revisions.data?.results.length === 0 ? (
        <p class="muted">None yet: a deploy that succeeds records one.</p>
      ) : null}
      {revisions.data && revisions.data.results.length > 0 ? (
        <TableBox label="Revisions table">
          <table aria-label="Revisions">
            <thead>
              <tr>
                <th scope="col">Revision</th>
                <th scope="col">Deployed</th>
                <th scope="col">Connector version</th>
                <th scope="col">Build</th>
                <th scope="col">
                  <span class="visually-hidden">Action</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {revisions.data.results.map((r) => (
                <tr key={r.revision}>
                  <th scope="row">
                    {r.revision}
                    {r.rollbackRevision ? <span class="sub">rollback to {r.rollbackRevision}</span> : null}
                  </th>
                  <td>
                    <Time iso={r.createdAt} />
                  </td>
                  <td>v{r.connector.version}</td>
                  <td>{r.buildKept === false ? 'rebuilt on rollback' : 'kept'}</td>
                  <td>
                    {r.revision === newest && deployment.status === 'Deployed' ? (
                      <span class="muted">Current</span>
                    ) : (
                      <button
                        type="button"
                        disabled={!isSettled(deployment.status)}
                        aria-label={`Rollback to revision ${r.revision}`}
                        onClick={() => setTarget(r)}
                      >
                        Rollback
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableBox>
      ) : null}
      <ConfirmDialog
        open={target !== undefined}
        title="Roll back?"
        confirmLabel="Rollback"
        busy={busy}
        error={error}
        onConfirm={() => target && void rollback(target)}
        onClose={() => {
          setTarget(undefined);
          setError(undefined);
        }}
      >
        <p>
          Revision {target?.revision} (connector v{target?.connector.version}) is deployed again
          {target?.buildKept === false ? ', built anew' : ' from its kept build, without building'}.
        </p>
      </ConfirmDialog>
    </section>
  );
};
