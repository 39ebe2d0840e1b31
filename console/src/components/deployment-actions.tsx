import { useState } from 'preact/hooks';
import { ApiError, api, read } from '../api/client.ts';
import type { Deployment } from '../api/types.ts';
import { canCancel, isSettled } from '../logic/status.ts';
import { ConfirmDialog } from './common.tsx';

type Action = 'redeploy' | 'cancel' | 'delete';

const update = (projectKey: string, deployment: Deployment, action: 'redeploy' | 'cancel') =>
  read<Deployment>(
    api.POST('/{projectKey}/deployments/{deploymentRef}', {
      params: { path: { projectKey, deploymentRef: deployment.id } },
      body: { version: deployment.version, actions: [{ action }] },
    }),
  );

const current = (projectKey: string, id: string) =>
  read<Deployment>(
    api.GET('/{projectKey}/deployments/{deploymentRef}', {
      params: { path: { projectKey, deploymentRef: id } },
    }),
  );

/**
 * Redeploy, Cancel and Delete, each behind a confirmation dialog. A cancel races the workflow,
 * which bumps the version as it moves: on a 409 the deployment is read again and, if it can
 * still be canceled, the cancel is sent once more with the new version.
 */
export const DeploymentActions = ({
  projectKey,
  deployment,
  onDone,
}: {
  projectKey: string;
  deployment: Deployment;
  onDone: (action: Action) => void;
}) => {
  const [open, setOpen] = useState<Action>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const run = async (action: Action) => {
    setBusy(true);
    setError(undefined);
    try {
      if (action === 'delete')
        await read(
          api.DELETE('/{projectKey}/deployments/{deploymentRef}', {
            params: { path: { projectKey, deploymentRef: deployment.id } },
          }),
        );
      else if (action === 'redeploy') await update(projectKey, deployment, 'redeploy');
      else {
        try {
          await update(projectKey, deployment, 'cancel');
        } catch (caught) {
          if (!(caught instanceof ApiError) || caught.status !== 409) throw caught;
          const fresh = await current(projectKey, deployment.id);
          if (!canCancel(fresh.status))
            throw new ApiError(400, `Too late to cancel: it is ${fresh.status} now.`);
          await update(projectKey, fresh, 'cancel');
        }
      }
      setOpen(undefined);
      onDone(action);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  const dialog = (action: Action, title: string, confirmLabel: string, text: string, danger = false) => (
    <ConfirmDialog
      open={open === action}
      title={title}
      confirmLabel={confirmLabel}
      danger={danger}
      busy={busy}
      error={open === action ? error : undefined}
      onConfirm={() => void run(action)}
      onClose={() => {
        setOpen(undefined);
        setError(undefined);
      }}
    >
      <p>{text}</p>
    </ConfirmDialog>
  );

  return (
    <div class="actions">
      <button type="button" disabled={!isSettled(deployment.status)} onClick={() => setOpen('redeploy')}>
        Redeploy
      </button>
      <button type="button" disabled={!canCancel(deployment.status)} onClick={() => setOpen('cancel')}>
        Cancel
      </button>
      <button
        type="button"
        class="danger"
        disabled={!isSettled(deployment.status)}
        onClick={() => setOpen('delete')}
      >
        Delete
      </button>
      {dialog(
        'redeploy',
        `Redeploy ${deployment.key}?`,
        'Redeploy',
        'It is built and deployed again with its current connector version and configuration. The running applications keep serving until the new build answers.',
      )}
      {dialog(
        'cancel',
        `Cancel ${deployment.key}?`,
        'Cancel the deploy',
        'The deploy in progress stops and the deployment ends Failed, with an entry “Canceled”. What was serving before keeps serving.',
        true,
      )}
      {dialog(
        'delete',
        `Delete ${deployment.key}?`,
        'Delete',
        'Its applications are stopped and removed, then the deployment itself. This cannot be undone.',
        true,
      )}
    </div>
  );
};
