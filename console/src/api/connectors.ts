import { api, read } from './client.ts';
import type { ConnectorDraft } from './types.ts';

/** Publishes a draft: its source is checked and a new immutable Connector version written. */
export const publish = (draft: ConnectorDraft) =>
  read<ConnectorDraft>(
    api.POST('/connectors/drafts/{draftRef}', {
      params: { path: { draftRef: draft.id } },
      body: { version: draft.version, actions: [{ action: 'publish', certification: false }] },
    }),
  );
