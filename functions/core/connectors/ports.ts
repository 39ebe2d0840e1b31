import type { Connector, ConnectorStaged } from './model.ts';

export interface ConnectorRepository {
  /** Creates the draft and reserves its key server-wide; `DuplicateField` when the key is taken. */
  createDraft(draft: ConnectorStaged): Promise<void>;
  getDraft(tenant: string, id: string): Promise<ConnectorStaged | undefined>;
  /** Who holds a connector key (drafts and published connectors share one key space). */
  resolveKey(key: string): Promise<{ tenant: string; id: string } | undefined>;
  /** Every draft of the tenant (a tenant has few; listings sort and page them in memory). */
  listDrafts(tenant: string): Promise<ConnectorStaged[]>;
  /**
   * Replaces the draft if its stored version is still `expectedVersion`; throws
   * `ConcurrentModification` (with the current version) or `ResourceNotFound`.
   */
  putDraft(draft: ConnectorStaged, expectedVersion: number): Promise<void>;
  /** `putDraft` and a new immutable Connector version, in one transaction. */
  publish(draft: ConnectorStaged, expectedVersion: number, connector: Connector): Promise<void>;
  /** Deletes the draft at `expectedVersion`; its key is released unless a published connector keeps it. */
  deleteDraft(draft: ConnectorStaged, expectedVersion: number): Promise<void>;
  /** The newest published version, or a given one. */
  getConnector(id: string, version?: number): Promise<Connector | undefined>;
  /** The newest version of every connector the tenant may see: its own and the certified ones. */
  listVisibleConnectors(tenant: string): Promise<Connector[]>;
}
