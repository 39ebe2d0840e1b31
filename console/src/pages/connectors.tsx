import { useState } from 'preact/hooks';
import { ApiError, api, read } from '../api/client.ts';
import { publish } from '../api/connectors.ts';
import type { Session } from '../api/session.ts';
import type { ConnectorDraft, Paged } from '../api/types.ts';
import { ErrorNote, StatusBadge, TableBox, Time } from '../components/common.tsx';
import { PublishForm } from '../components/publish-form.tsx';
import { useFocusHeading, useLoad } from '../hooks.ts';

const sourceOf = (draft: ConnectorDraft) =>
  draft.repository
    ? `${draft.repository.url} @ ${draft.repository.tag}`
    : draft.artifact
      ? `upload to ${draft.artifact.projectKey}`
      : '—';

const Row = ({ draft, onChange }: { draft: ConnectorDraft; onChange: () => void }) => {
  const [error, setError] = useState<string>();
  const entries = draft.publishingReport?.entries ?? [];
  return (
    <tr>
      <th scope="row">
        {draft.key ?? draft.id}
        <span class="sub">{draft.name}</span>
      </th>
      <td>
        <StatusBadge status={draft.status ?? 'Draft'} />
      </td>
      <td>{draft.publishedVersion ? `v${draft.publishedVersion}` : <span class="muted">none</span>}</td>
      <td class="wrap">{sourceOf(draft)}</td>
      <td>{draft.lastModifiedAt ? <Time iso={draft.lastModifiedAt} /> : null}</td>
      <td>
        {entries.length > 0 ? (
          <details>
            <summary>Report ({entries.length})</summary>
            <ul class="report">
              {entries.map((entry, index) => (
                <li key={`${entry.createdAt}-${index}`} class={`entry entry-${entry.type.toLowerCase()}`}>
                  <strong class="entry-type">{entry.type}</strong> {entry.title}
                  {entry.message ? <p class="entry-message">{entry.message}</p> : null}
                </li>
              ))}
            </ul>
          </details>
        ) : (
          <span class="muted">—</span>
        )}
        {draft.status !== 'Processing' ? (
          <button
            type="button"
            aria-label={`Publish ${draft.key ?? draft.name}`}
            onClick={() =>
              void publish(draft).then(onChange, (caught: unknown) =>
                setError(caught instanceof ApiError ? caught.message : String(caught)),
              )
            }
          >
            Publish
          </button>
        ) : null}
        <ErrorNote error={error} />
      </td>
    </tr>
  );
};

/** The tenant's connectors (their drafts, with what was published of each) and publishing. */
export const ConnectorsPage = ({ session }: { session: Session }) => {
  const heading = useFocusHeading('connectors');
  const drafts = useLoad(
    () =>
      read<Paged<ConnectorDraft>>(
        api.GET('/connectors/drafts', { params: { query: { limit: '100', sort: 'lastModifiedAt desc' } } }),
      ),
    [session.token],
    (data) => (data?.results.some((d) => d.status === 'Processing') ? 1_000 : 10_000),
  );
  return (
    <main id="main">
      <h1 ref={heading} tabIndex={-1}>
        Connectors
      </h1>
      {/* A token that may not read connectors may not publish them either. */}
      {drafts.error?.status === 403 ? null : <PublishForm onPublished={drafts.refresh} />}
      <ErrorNote error={drafts.error} />
      {drafts.loading && !drafts.data ? <p role="status">Loading connectors…</p> : null}
      {drafts.data ? (
        <TableBox label="Connectors table">
          <table aria-label="Connectors">
            <thead>
              <tr>
                <th scope="col">Connector</th>
                <th scope="col">Status</th>
                <th scope="col">Published</th>
                <th scope="col">Source</th>
                <th scope="col">Last change</th>
                <th scope="col">Publish report</th>
              </tr>
            </thead>
            <tbody>
              {drafts.data.results.map((draft) => (
                <Row key={draft.id} draft={draft} onChange={drafts.refresh} />
              ))}
              {drafts.data.results.length === 0 ? (
                <tr>
                  <td colSpan={6} class="muted">
                    No connectors yet: publish one above.
                  </td>
                </tr>
              ) : null}
            </tbody>
          </table>
        </TableBox>
      ) : null}
    </main>
  );
};
