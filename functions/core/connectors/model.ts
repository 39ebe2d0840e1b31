/**
 * Connectors in Connect's terms: a ConnectorStaged (the editable draft) and the immutable
 * Connector versions that publishing it produces. Field names follow Connect's API; what
 * Slipway adds (the tenant, the artifact source, the in-flight requests) stays internal or is
 * marked as an extension in the views.
 */
import type { ConnectorSpecification } from './spec.ts';
import { connectorConfigurations } from './spec.ts';

/** Connect's integration types (the SDK's list). */
export const INTEGRATION_TYPES = [
  'analytics',
  'crm',
  'email',
  'erp',
  'giftcard',
  'marketplace',
  'oms',
  'other',
  'pim',
  'promotion',
  'psp',
  'search',
  'shipping',
  'tax',
] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export interface Creator {
  name?: string;
  title?: string;
  email: string;
  company?: string;
  logoUrl?: string;
  noOfContributors?: number;
  supportUrl?: string;
}

export interface Repository {
  url: string;
  tag: string;
}

/**
 * Where a connector's code comes from: a git repository at a tag (Connect's way), or an
 * upload (Slipway's extension). An upload is copied under the connector when it is consumed,
 * so the upload's own expiry cannot take the source away.
 */
export type ConnectorSource =
  | ({ type: 'git' } & Repository)
  | { type: 'artifact'; projectKey: string; uploadId: string; objectKey: string };

export type ReportEntryType = 'Information' | 'Warning' | 'Error';

/** Connect's ConnectorReportEntry, plus `code` (Slipway): the error code a failure maps to. */
export interface ReportEntry {
  type: ReportEntryType;
  title: string;
  message?: string;
  code?: string;
  createdAt: string;
}

export interface ConnectorReport {
  entries: ReportEntry[];
}

/** Connect's statuses that apply to a self-hosted server (no certification board: see README). */
export type ConnectorStatus = 'Draft' | 'Processing' | 'Published' | 'Failed';
export type IsPreviewable = 'none' | 'pending' | 'true' | 'false';

export type ConnectorConfigurationApplication = ReturnType<typeof connectorConfigurations>[number];

/** What checking a source yields: the parts of connect.yaml a connector carries. */
export interface SourceInspection {
  configurations: ConnectorConfigurationApplication[];
  globalConfiguration?: ConnectorSpecification['globalConfiguration'];
  apiClient?: ConnectorSpecification['apiClient'];
  entryCount: number;
  uncompressedBytes: number;
}

export const inspectionOf = (
  spec: ConnectorSpecification,
  manifest: { entryCount: number; uncompressedBytes: number },
): SourceInspection => ({
  configurations: connectorConfigurations(spec),
  ...(spec.globalConfiguration ? { globalConfiguration: spec.globalConfiguration } : {}),
  ...(spec.apiClient ? { apiClient: spec.apiClient } : {}),
  entryCount: manifest.entryCount,
  uncompressedBytes: manifest.uncompressedBytes,
});

export type SourceCheckPurpose = 'publish' | 'preview';

/** A publish or previewable check: which source, which zip it reads, and whether it is still running. */
export interface SourceCheck {
  id: string;
  purpose: SourceCheckPurpose;
  certification: boolean;
  source: ConnectorSource;
  /** The zip the workflow inspects: the stored upload, or where the git checkout is archived. */
  objectKey: string;
  requestedAt: string;
  finishedAt?: string;
}

/** The input of the publish workflow: enough to find the draft and the request again. */
export interface SourceCheckExecution {
  tenant: string;
  connectorId: string;
  request: SourceCheck;
}

export interface ConnectorStaged {
  id: string;
  tenant: string;
  key?: string;
  version: number;
  name: string;
  description: string;
  integrationTypes: IntegrationType[];
  creator: Creator;
  source: ConnectorSource;
  configurations: ConnectorConfigurationApplication[];
  globalConfiguration?: SourceInspection['globalConfiguration'];
  apiClient?: SourceInspection['apiClient'];
  privateProjects: string[];
  supportedRegions: string[];
  documentationUrl?: string;
  status: ConnectorStatus;
  publishingReport?: ConnectorReport;
  isPreviewable: IsPreviewable;
  previewableReport?: ConnectorReport;
  /** The zip that passed the last previewable check: what a staged (preview) deployment runs. */
  previewObjectKey?: string;
  /** The Connector version the last successful publish wrote. */
  publishedVersion?: number;
  /** Whether the last successful publish asked for certification (a public listing here). */
  certified: boolean;
  hasChanges: boolean;
  publishRequest?: SourceCheck;
  previewRequest?: SourceCheck;
  /**
   * Which write made this state (random, per write): how a client's write whose answer was
   * lost is told from another client's write of the same version. Internal.
   */
  writeId: string;
  createdAt: string;
  lastModifiedAt: string;
}

/** One immutable published version; the newest is what `GET /connectors/{id}` shows. */
export interface Connector {
  id: string;
  tenant: string;
  key?: string;
  version: number;
  name: string;
  description?: string;
  integrationTypes: IntegrationType[];
  creator: Creator;
  source: ConnectorSource;
  /** The inspected zip this version deploys. */
  objectKey: string;
  configurations: ConnectorConfigurationApplication[];
  globalConfiguration?: SourceInspection['globalConfiguration'];
  apiClient?: SourceInspection['apiClient'];
  /** Private connectors are seen by their tenant only; certified ones by every tenant of the server. */
  private: boolean;
  privateProjects: string[];
  supportedRegions: string[];
  certified: boolean;
  documentationUrl?: string;
  createdAt: string;
  lastModifiedAt: string;
}
