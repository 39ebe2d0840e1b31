import { config } from '../config.ts';
import type {
  Connector,
  ConnectorConfigurationApplication,
  ConnectorReport,
  ConnectorSource,
  ConnectorStaged,
  Creator,
} from '../core/connectors/model.ts';
import type { ConfigurationKey, ConfigurationSpec } from '../core/connectors/spec.ts';
import type {
  Deployment,
  DeploymentEvent,
  DeploymentLog,
  StoredConfiguration,
} from '../core/deployments/model.ts';
import type { Project } from '../core/projects/ports.ts';
import type { Page, PageRequest } from '../core/shared/listing.ts';
import {
  deployTrail,
  type StoreDeploymentState,
  siteUrl,
  storeDeploymentStates,
} from '../core/store/deployment-states.ts';
import type { Upload } from '../core/uploads/model.ts';
import type { PresignedUpload } from '../core/uploads/ports.ts';

/** Wire shapes. The tenant is never shown: it is implied by the token. */
export const projectView = (p: Project) => ({
  id: p.id,
  key: p.key,
  name: p.name,
  version: p.version,
  ...(p.strictScripts === undefined ? {} : { strictScripts: p.strictScripts }),
  createdAt: p.createdAt,
  lastModifiedAt: p.lastModifiedAt,
});

/** Connect's PagedQueryResponse, plus `nextCursor` (Slipway extension) for walking large listings. */
export const pagedResponse = <T, V>(request: PageRequest, page: Page<T>, view: (item: T) => V) => ({
  limit: request.limit,
  offset: request.cursor === undefined ? request.offset : undefined,
  count: page.results.length,
  total: page.total,
  results: page.results.map(view),
  ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}),
});

/**
 * Connect's DeploymentLogCursorPagedQueryResponse. The last page says `"next": null` instead of
 * leaving `next` out: the commercetools CLI stops paging only on `null` or `""`, and keeps
 * asking for another page when `next` is absent.
 */
export const deploymentLogPageView = (page: { data: DeploymentLog[]; next?: string }) => ({
  data: page.data,
  next: page.next || null,
});

/** An upload as clients see it; the object key and tenant stay internal. */
export const uploadView = (u: Upload) => ({
  id: u.id,
  status: u.status,
  contentType: u.contentType,
  maxSize: u.maxSize,
  expiresAt: u.expiresAt,
  createdAt: u.createdAt,
  ...(u.declaredSize === undefined ? {} : { declaredSize: u.declaredSize }),
  ...(u.size === undefined ? {} : { size: u.size, etag: u.etag, uploadedAt: u.uploadedAt }),
  version: u.version,
});

/** The answer to an upload request: where to PUT, with exactly which headers, until when. */
export const uploadSignatureView = (u: Upload, presigned: PresignedUpload) => ({
  id: u.id,
  url: presigned.url,
  method: 'PUT' as const,
  headers: presigned.headers,
  expiresAt: u.expiresAt,
  maxSize: u.maxSize,
});

const sourceView = (source: ConnectorSource) =>
  source.type === 'git'
    ? { repository: { url: source.url, tag: source.tag } }
    : { artifact: { projectKey: source.projectKey, uploadId: source.uploadId } };

const optional = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

/*
 * DynamoDB keeps no order among a map's attributes, so nested objects are rebuilt here in the
 * order Connect documents them: the same connector always reads the same.
 */
const keyView = (k: ConfigurationKey) => ({
  key: k.key,
  description: k.description,
  required: k.required,
  ...optional('default', k.default),
});

const configurationView = (c: ConfigurationSpec) => ({
  standardConfiguration: c.standardConfiguration.map(keyView),
  securedConfiguration: c.securedConfiguration.map(keyView),
});

const applicationsView = (apps: ConnectorConfigurationApplication[]) =>
  apps.map((a) => ({
    applicationName: a.applicationName,
    applicationType: a.applicationType,
    ...configurationView(a),
  }));

const creatorView = (c: Creator) => ({
  ...optional('name', c.name),
  ...optional('title', c.title),
  email: c.email,
  ...optional('company', c.company),
  ...optional('logoUrl', c.logoUrl),
  ...optional('noOfContributors', c.noOfContributors),
  ...optional('supportUrl', c.supportUrl),
});

const reportView = (r: ConnectorReport | undefined) =>
  r && {
    entries: r.entries.map((e) => ({
      type: e.type,
      title: e.title,
      ...optional('code', e.code),
      ...optional('message', e.message),
      createdAt: e.createdAt,
    })),
  };

/** What a connector (staged or published) declares, in Connect's field order. */
const declaredView = (c: ConnectorStaged | Connector) => ({
  configurations: applicationsView(c.configurations),
  ...optional('globalConfiguration', c.globalConfiguration && configurationView(c.globalConfiguration)),
  ...optional('apiClient', c.apiClient && { scopes: c.apiClient.scopes }),
});

/**
 * Connect's ConnectorStaged. `artifact` (instead of `repository`), `publishedVersion`,
 * `createdAt` and `lastModifiedAt` are Slipway's additions; the tenant and the requests in
 * flight stay internal.
 */
export const connectorStagedView = (c: ConnectorStaged) => ({
  id: c.id,
  ...optional('key', c.key),
  version: c.version,
  name: c.name,
  description: c.description,
  integrationTypes: c.integrationTypes,
  creator: creatorView(c.creator),
  ...sourceView(c.source),
  ...declaredView(c),
  private: !c.certified,
  privateProjects: c.privateProjects,
  supportedRegions: c.supportedRegions,
  status: c.status,
  ...optional('publishingReport', reportView(c.publishingReport)),
  alreadyListed: c.publishedVersion !== undefined,
  hasChanges: c.hasChanges,
  isPreviewable: c.isPreviewable,
  ...optional('previewableReport', reportView(c.previewableReport)),
  ...optional('documentationUrl', c.documentationUrl),
  ...optional('publishedVersion', c.publishedVersion),
  createdAt: c.createdAt,
  lastModifiedAt: c.lastModifiedAt,
});

/**
 * Connect's Connector. Another tenant (a certified connector is listed server-wide) does not
 * see where the source came from when it was an upload: that names the owner's project.
 */
export const connectorView = (c: Connector, viewerTenant: string) => ({
  id: c.id,
  ...optional('key', c.key),
  version: c.version,
  name: c.name,
  ...optional('description', c.description),
  integrationTypes: c.integrationTypes,
  creator: creatorView(c.creator),
  ...(c.source.type === 'git' || c.tenant === viewerTenant ? sourceView(c.source) : {}),
  ...declaredView(c),
  private: c.private,
  supportedRegions: c.supportedRegions,
  certified: c.certified,
  ...optional('documentationUrl', c.documentationUrl),
  createdAt: c.createdAt,
  lastModifiedAt: c.lastModifiedAt,
});

/** What every response shows for a secured value: it is write-only. */
export const MASKED = '****';

const masked = (values: { key: string }[]) => values.map((v) => ({ key: v.key, value: MASKED }));

const storedConfigurationView = (c: StoredConfiguration) => ({
  standardConfiguration: c.standardConfiguration.map((v) => ({ key: v.key, value: v.value })),
  securedConfiguration: masked(c.securedConfiguration),
});

/** Connect's Deployment, plus `createdAt` and `lastModifiedAt`; secured values masked. */
export const deploymentView = (d: Deployment) => ({
  id: d.id,
  ...optional('key', d.key),
  version: d.version,
  type: d.type,
  connector: {
    id: d.connector.id,
    ...optional('key', d.connector.key),
    version: d.connector.version,
    name: d.connector.name,
    ...optional('description', d.connector.description),
    integrationTypes: d.connector.integrationTypes,
    creator: creatorView(d.connector.creator),
    ...sourceView(d.connector.source),
    configurations: applicationsView(d.connector.configurations),
    ...optional(
      'globalConfiguration',
      d.connector.globalConfiguration && configurationView(d.connector.globalConfiguration),
    ),
    certified: d.connector.certified,
    supportedRegions: d.connector.supportedRegions,
    ...optional('documentationUrl', d.connector.documentationUrl),
  },
  ...optional('globalConfiguration', d.globalConfiguration && storedConfigurationView(d.globalConfiguration)),
  ...optional('apiClient', d.apiClient && { name: d.apiClient.name, scopes: d.apiClient.scopes }),
  details: {
    build: {
      id: d.details.build.id,
      report: {
        entries: d.details.build.report.entries.map((e) => ({
          type: e.type,
          title: e.title,
          ...optional('message', e.message),
          ...optional('application', e.application),
          createdAt: e.createdAt,
        })),
      },
    },
  },
  deployedRegion: d.deployedRegion,
  applications: d.applications.map((a) => ({
    id: a.id,
    applicationName: a.applicationName,
    ...storedConfigurationView(a),
    ...optional('url', a.url),
    ...optional('topic', a.topic),
    ...optional('schedule', a.schedule),
  })),
  preview: d.type === 'preview',
  status: d.status,
  ...optional('rollbackRevision', d.rollbackRevision),
  ...optional('supersededBy', d.supersededBy),
  ...optional('strictScripts', d.strictScripts),
  createdAt: d.createdAt,
  lastModifiedAt: d.lastModifiedAt,
});

/** `ETag: "<version>"`, for `If-Match` on the next write. */
export const etag = (version: number) => ({ etag: `"${version}"` });

/** `If-None-Match` names the current version (or `*`): the client's copy is current (RFC 9110 §13.1.2). */
export const notModified = (ifNoneMatch: string | undefined, version: number): boolean =>
  (ifNoneMatch ?? '').split(',').some((tag) => {
    const value = tag.trim().replace(/^W\//, '');
    return value === '*' || value === `"${version}"`;
  });

/** A project in the BigCommerce dialect. */
/** A BigCommerce project; `deployment_hostnames`: where it is served (this server's host, once a deployment completed there). */
export const storeProjectView = (p: Project, hostnames: string[]) => ({
  uuid: p.id,
  name: p.name,
  deployment_hostnames: hostnames,
  date_created: p.createdAt,
  date_modified: p.lastModifiedAt,
});

/** BigCommerce's success envelope: `meta` is `{}` for a single object. */
export const storeData = <T>(data: T, meta: Record<string, unknown> = {}) => ({ data, meta });

/** A host name (or IPv4 address, or bracketed IPv6 address) and an optional port of 1–65535. */
const HOST =
  /^(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::(\d{1,5}))?$/;

const validHost = (value: string | undefined): string | undefined => {
  const host = value?.split(',')[0]?.trim();
  const match = host === undefined ? null : HOST.exec(host);
  if (!match || host === undefined) return undefined;
  const port = match[1] === undefined ? undefined : Number(match[1]);
  return port === undefined || (port >= 1 && port <= 65535) ? host : undefined;
};

/**
 * The URL this server is reached at, from the request: the viewer host CloudFront forwards
 * (`x-forwarded-host`) where the deployment says it stands behind one
 * (`SLIPWAY_TRUST_FORWARDED_HOST`), else the Host header; `x-forwarded-proto` when it is http
 * or https (API Gateway sets it), else http. These headers come from clients: a malformed one
 * is ignored, never echoed.
 */
export const publicBaseUrl = (headers: Record<string, string | undefined>): string => {
  const forwarded = config.trustForwardedHost ? validHost(headers['x-forwarded-host']) : undefined;
  const host = forwarded ?? validHost(headers.host) ?? '127.0.0.1';
  const proto = headers['x-forwarded-proto']?.split(',')[0]?.trim().toLowerCase();
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
};

/** This server's host (and port) as the client reached it. */
export const publicHost = (headers: Record<string, string | undefined>): string =>
  new URL(publicBaseUrl(headers)).host;

/** Where a deployment is reached once completed: its project's address, and that address's host. */
export const storeAddress = (d: Deployment, baseUrl: string, completed: boolean) => {
  if (!completed) return { deployment_url: null, deployment_hostnames: [] };
  const url = siteUrl(baseUrl, d.projectId);
  return { deployment_url: url, deployment_hostnames: [new URL(url).host] };
};

/**
 * One state of a deployment as the event stream sends it. `error` is there only for a failure:
 * BigCommerce's own CLI validates each event and rejects `error: null`.
 */
export const storeEventView = (d: Deployment, state: StoreDeploymentState, baseUrl: string) => {
  const { id: _, error, ...rest } = state;
  return {
    ...rest,
    ...(error ? { error } : {}),
    ...storeAddress(d, baseUrl, state.deployment_status === 'completed'),
  };
};

/**
 * Slipway's GET of a deployment: the stream's last state, with the steps so far and its dates.
 * One another deployment replaced at the project's address is `superseded` (Slipway's status:
 * the event stream, which BigCommerce's CLI reads against its four statuses, keeps `completed`),
 * with no address and `superseded_by` naming the one served now.
 */
export const storeDeploymentView = (d: Deployment, trail: DeploymentEvent[], baseUrl: string) => {
  const states = storeDeploymentStates(d, trail);
  const last = states.at(-1) as StoreDeploymentState;
  const superseded = d.supersededBy !== undefined && d.status === 'Deployed';
  return {
    ...storeEventView(d, last, baseUrl),
    ...(superseded
      ? {
          deployment_status: 'superseded' as const,
          superseded_by: d.supersededBy,
          ...storeAddress(d, baseUrl, false),
        }
      : {}),
    project_uuid: d.projectId,
    steps: deployTrail(trail)
      .filter((e) => e.step !== 'failed')
      .map((e) => ({ step: e.step, progress: e.progress, timestamp: e.at })),
    date_created: d.createdAt,
    date_modified: d.lastModifiedAt,
  };
};
