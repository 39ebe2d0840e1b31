/**
 * The API's objects as the CLI reads them: the fields it uses, named as the API names them.
 * The OpenAPI document describes requests and error envelopes; success bodies are these
 * (docs/connect-api.md, docs/bigcommerce-api.md, docs/revisions.md). `--json` prints the
 * API's own objects whole, not these views of them. The web console reads the shapes both
 * clients share from here too (console/src/api/types.ts).
 */
import type { components } from './schema.d.ts';

export interface Paged<T> {
  limit: number;
  offset?: number;
  count: number;
  total: number;
  results: T[];
  nextCursor?: string;
}

export interface Project {
  id: string;
  key: string;
  name?: string;
  version: number;
  createdAt: string;
  lastModifiedAt: string;
}

export interface UploadSlot {
  id: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  maxSize: number;
}

export interface Upload {
  id: string;
  status: 'pending' | 'uploaded' | 'consumed' | 'expired';
}

export type DeploymentStatus =
  | 'Draft'
  | 'Queued'
  | 'Deploying'
  | 'Deployed'
  | 'Failed'
  | 'Undeploying'
  | 'UndeployFailed';

export interface ReportEntry {
  type: 'Information' | 'Warning' | 'Error';
  title: string;
  code?: string;
  message?: string;
  application?: string;
  createdAt: string;
}

export interface ApplicationDeployment {
  applicationName: string;
  standardConfiguration: { key: string; value: string }[];
  securedConfiguration: { key: string; value: string }[];
  url?: string;
  topic?: string;
  schedule?: string;
}

export interface Deployment {
  id: string;
  key?: string;
  version: number;
  type: string;
  status: DeploymentStatus;
  connector: {
    id: string;
    key?: string;
    version: number;
    name?: string;
    artifact?: { projectKey: string; uploadId: string };
    repository?: { url: string; tag: string };
  };
  deployedRegion: string;
  applications: ApplicationDeployment[];
  details: { build: { id: string; report: { entries: ReportEntry[] } } };
  rollbackRevision?: number;
  createdAt: string;
  lastModifiedAt: string;
}

export interface DeploymentRevision {
  revision: number;
  createdAt: string;
  connector: { id: string; key?: string; version: number; buildId: string };
  applications: { applicationName: string; standardConfiguration: { key: string; value: string }[] }[];
  rollbackRevision?: number;
  buildKept: boolean;
}

export type DeploymentLogPage = components['schemas']['DeploymentLogPage'];
export type DeploymentLog = DeploymentLogPage['data'][number];

export interface ConnectorStaged {
  id: string;
  key: string;
  version: number;
  name: string;
  status?: string;
  publishingReport?: { entries: ReportEntry[] };
}

export interface Connector {
  id: string;
  key: string;
  version: number;
  name: string;
  private?: boolean;
  certified?: boolean;
  lastModifiedAt?: string;
}
/** BigCommerce answers `{data, meta}`. */
export interface StoreEnvelope<T> {
  data: T;
}

export interface StoreDeploymentState {
  deployment_uuid: string;
  deployment_status: 'queued' | 'in_progress' | 'failed' | 'completed' | 'superseded';
  event: { step: string; progress: number } | null;
  error?: { code: number; message: string } | null;
  deployment_url?: string | null;
  deployment_hostnames?: string[];
}
