import { useState } from 'preact/hooks';
import { ApiError, api, read } from '../api/client.ts';
import { publish } from '../api/connectors.ts';
import type { ConnectorDraft } from '../api/types.ts';
import { uploadZip } from '../api/uploads.ts';
import { ErrorNote } from './common.tsx';

type Source = 'repository' | 'upload';

/**
 * Publish a connector from a repository tag (Connect's way) or from a zip (Slipway's
 * extension: an upload to one of the tenant's projects). A key that names an existing draft
 * updates that draft's source, then publishes it.
 */
export const PublishForm = ({ onPublished }: { onPublished: () => void }) => {
  const [source, setSource] = useState<Source>('repository');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const fields = new FormData(form);
    const value = (name: string) => String(fields.get(name) ?? '').trim();
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      const key = value('key');
      let origin:
        | { repository: { url: string; tag: string } }
        | { artifact: { projectKey: string; uploadId: string } };
      if (source === 'repository') origin = { repository: { url: value('url'), tag: value('tag') } };
      else {
        const file = fields.get('zip');
        if (!(file instanceof File) || file.size === 0) throw new ApiError(400, 'Choose a zip to publish.');
        const projectKey = value('projectKey');
        origin = { artifact: { projectKey, uploadId: await uploadZip(projectKey, file, () => undefined) } };
      }
      let draft: ConnectorDraft;
      try {
        draft = await read<ConnectorDraft>(
          api.POST('/connectors/drafts', {
            body: { key, name: value('name') || key, creator: { email: value('email') }, ...origin },
          }),
        );
      } catch (caught) {
        if (!(caught instanceof ApiError) || caught.code !== 'DuplicateField') throw caught;
        const existing = await read<ConnectorDraft>(
          api.GET('/connectors/drafts/{draftRef}', { params: { path: { draftRef: `key=${key}` } } }),
        );
        draft = await read<ConnectorDraft>(
          api.POST('/connectors/drafts/{draftRef}', {
            params: { path: { draftRef: existing.id } },
            body: {
              version: existing.version,
              actions: [
                'repository' in origin
                  ? { action: 'setRepository', ...origin.repository }
                  : { action: 'setArtifact', ...origin.artifact },
              ],
            },
          }),
        );
      }
      await publish(draft);
      setDone(`Publishing ${key}: its status and report are in the list below.`);
      onPublished();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="publish-heading">
      <h2 id="publish-heading">Publish a connector</h2>
      <form onSubmit={submit} class="stack">
        <div class="row">
          <label>
            Key
            <input name="key" required pattern="[A-Za-z0-9_\-]{2,256}" />
          </label>
          <label>
            Name
            <input name="name" />
          </label>
          <label>
            Creator email
            <input name="email" type="email" required autoComplete="email" />
          </label>
        </div>
        <fieldset class="segmented">
          <legend>Source</legend>
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'repository'}
              onChange={() => setSource('repository')}
            />{' '}
            A repository tag
          </label>
          <label>
            <input
              type="radio"
              name="source"
              checked={source === 'upload'}
              onChange={() => setSource('upload')}
            />{' '}
            A zip
          </label>
        </fieldset>
        {source === 'repository' ? (
          <div class="row">
            <label>
              Repository URL
              <input name="url" required placeholder="https://github.com/you/connector.git" />
            </label>
            <label>
              Tag
              <input name="tag" required placeholder="v1.0.0" />
            </label>
          </div>
        ) : (
          <div class="row">
            <label>
              Zip
              <input name="zip" type="file" accept=".zip,application/zip" required />
            </label>
            <label>
              Upload through project
              <input name="projectKey" required />
            </label>
          </div>
        )}
        <ErrorNote error={error} />
        {done ? <p role="status">{done}</p> : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Publishing…' : 'Publish'}
        </button>
      </form>
    </section>
  );
};
