/**
 * The shapes of the answers the console reads. The OpenAPI document (cli/api/schema.d.ts)
 * types every path, parameter and request body, but describes most 200 answers by status
 * only; these are the fields docs/connect-api.md and docs/bigcommerce-api.md document, no more.
 */
import type { components } from '../../../cli/api/schema.d.ts';

export type DeploymentStatus =
  | 'Draft'
  | 'Queued'
  | 'Deploying'
  | 'Deployed'
  | 'Failed'
  | 'Undeploying'
  | 'UndeployFailed';

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

export interface ConfigurationValue {
  key: string;
  value?: string;
}

export interface ConfigurationKeySpec {
  key: string;
  description?: string;
  required?: boolean;
  default?: string;
}

export interface ApplicationSpec {
  applicationName: string;
  applicationType: string;
  standardConfiguration: ConfigurationKeySpec[];
  securedConfiguration: ConfigurationKeySpec[];
}

export interface ReportEntry {
  type: 'Information' | 'Warning' | 'Error';
  title: string;
  code?: string;
  message?: string;
  application?: string;
  createdAt: string;
}

export interface DeploymentApplication {
  id: string;
  applicationName: string;
  standardConfiguration: ConfigurationValue[];
  securedConfiguration: ConfigurationValue[];
  url?: string;
  topic?: string;
  schedule?: string;
}

export interface Deployment {
  id: string;
  key: string;
  version: number;
  type: string;
  status: DeploymentStatus;
  connector: {
    id: string;
    key?: string;
    name: string;
    version: number;
    configurations?: ApplicationSpec[];
    artifact?: { projectKey: string; uploadId: string };
  };
  details: { build: { id: string; report: { entries: ReportEntry[] } } };
  deployedRegion?: string;
  applications: DeploymentApplication[];
  rollbackRevision?: number;
  createdAt: string;
  lastModifiedAt: string;
}

export interface Revision {
  revision: number;
  createdAt: string;
  connector: { id: string; key?: string; version: number; staged?: boolean; buildId: string };
  applications: {
    applicationName: string;
    standardConfiguration: ConfigurationValue[];
    securedConfiguration: { key: string }[];
  }[];
  rollbackRevision?: number;
  buildKept?: boolean;
}

export type LogEntry = components['schemas']['DeploymentLogPage']['data'][number];
export type LogPage = components['schemas']['DeploymentLogPage'];

export interface Upload {
  id: string;
  status: 'pending' | 'uploaded' | 'consumed' | 'expired';
}

export interface UploadSignature {
  id: string;
  url: string;
  method: 'PUT';
  headers: Record<string, string>;
  expiresAt: string;
  maxSize: number;
}

export interface ConnectorDraft {
  id: string;
  key?: string;
  version: number;
  name: string;
  status?: 'Draft' | 'Processing' | 'Published' | 'Failed';
  publishedVersion?: number;
  repository?: { url: string; tag: string };
  artifact?: { projectKey: string; uploadId: string };
  publishingReport?: { entries: ReportEntry[] };
  lastModifiedAt?: string;
}

/** One step of a deployment's trail, as the BigCommerce dialect shows it (docs/bigcommerce-api.md). */
export interface TrailStep {
  step: string;
  progress: number;
  timestamp: string;
}

export interface StoreDeployment {
  deployment_uuid: string;
  deployment_status: string;
  steps: TrailStep[];
  error?: { code: number; message: string };
}

export interface StoreProject {
  uuid: string;
  name: string;
  deployment_hostnames: string[];
}

export interface Introspection {
  active: boolean;
  scope?: string;
  client_id?: string;
  tenant?: string;
  exp?: number;
}
