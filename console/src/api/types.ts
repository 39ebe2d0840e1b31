/**
 * The shapes of the answers the console reads. The OpenAPI document (cli/api/schema.d.ts)
 * types every path, parameter and request body, but describes most 200 answers by status
 * only; these are the fields docs/connect-api.md and docs/bigcommerce-api.md document, no more.
 */
import type { DeploymentStatus, ReportEntry } from '../../../cli/api/types.ts';

/** The shapes both clients read alike, under the names the console uses. */
export type {
  DeploymentLog as LogEntry,
  DeploymentLogPage as LogPage,
  DeploymentStatus,
  Paged,
  Project,
  ReportEntry,
  Upload,
  UploadSlot as UploadSignature,
} from '../../../cli/api/types.ts';

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
