/** Every key of the single table is built here, next to nothing else. */

export const keys = {
  client: (clientId: string) => ({ PK: `CLIENT#${clientId}`, SK: 'CLIENT' }),
  /** GSI1: a tenant's API clients, oldest first. */
  clientByTenant: (tenant: string, createdAt: string, clientId: string) => ({
    GSI1PK: `CLIENTS#${tenant}`,
    GSI1SK: `${createdAt}#${clientId}`,
  }),
  clientsPartition: (tenant: string) => `CLIENTS#${tenant}`,
  /** A revoked access token, by its `jti`, kept until the token would have expired (TTL). */
  revokedToken: (tokenId: string) => ({ PK: `REVOKEDTOKEN#${tokenId}`, SK: 'REVOKEDTOKEN' }),
  storeToken: (tokenHash: string) => ({ PK: `STORETOKEN#${tokenHash}`, SK: 'STORETOKEN' }),
  /** GSI1: a store's tokens, oldest first. */
  storeTokenByTenant: (tenant: string, createdAt: string, id: string) => ({
    GSI1PK: `STORETOKENS#${tenant}`,
    GSI1SK: `${createdAt}#${id}`,
  }),
  storeTokensPartition: (tenant: string) => `STORETOKENS#${tenant}`,
  tenantPartition: (tenant: string) => `TENANT#${tenant}`,
  project: (tenant: string, key: string) => ({ PK: `TENANT#${tenant}`, SK: `PROJECT#${key}` }),
  projectPrefix: 'PROJECT#',
  upload: (id: string) => ({ PK: `UPLOAD#${id}`, SK: 'UPLOAD' }),
  /** GSI1: project by its uuid (the BigCommerce dialect addresses projects by uuid). */
  projectById: (id: string) => ({ GSI1PK: `PROJECTID#${id}`, GSI1SK: 'PROJECT' }),
  connectorDraft: (tenant: string, id: string) => ({ PK: `TENANT#${tenant}`, SK: `CONNECTORSTAGED#${id}` }),
  connectorDraftPrefix: 'CONNECTORSTAGED#',
  /** Connector keys are unique server-wide, like Connect's, so `key=` lookups are unambiguous. */
  connectorKey: (key: string) => ({ PK: `CONNECTORKEY#${key}`, SK: 'CONNECTORKEY' }),
  connectorPartition: (id: string) => `CONNECTOR#${id}`,
  /** Zero-padded so versions sort as numbers. */
  connectorVersion: (id: string, version: number) => ({
    PK: `CONNECTOR#${id}`,
    SK: `VERSION#${String(version).padStart(10, '0')}`,
  }),
  connectorVersionPrefix: 'VERSION#',
  /** The newest version of each published connector, in its tenant's partition. */
  connectorHead: (tenant: string, id: string) => ({ PK: `TENANT#${tenant}`, SK: `CONNECTOR#${id}` }),
  connectorHeadPrefix: 'CONNECTOR#',
  /** GSI1: the heads of certified connectors, which every tenant sees. */
  publicConnector: (id: string) => ({ GSI1PK: 'CONNECTORS#PUBLIC', GSI1SK: `CONNECTOR#${id}` }),
  publicConnectorsPartition: 'CONNECTORS#PUBLIC',
  projectPartition: (projectId: string) => `PROJECT#${projectId}`,
  deployment: (projectId: string, id: string) => ({ PK: `PROJECT#${projectId}`, SK: `DEPLOYMENT#${id}` }),
  deploymentPrefix: 'DEPLOYMENT#',
  deploymentKey: (projectId: string, key: string) => ({
    PK: `PROJECT#${projectId}`,
    SK: `DEPLOYMENTKEY#${key}`,
  }),
  /** GSI1: a project's deployments in key order (keyless ones last, by id). */
  deploymentByKey: (projectId: string, id: string, key: string | undefined) => ({
    GSI1PK: `DEPLOYMENTS#${projectId}`,
    GSI1SK: key === undefined ? `~${id}` : `KEY#${key}`,
  }),
  deploymentsByKeyPartition: (projectId: string) => `DEPLOYMENTS#${projectId}`,
  /** Where a deployment is, by its id alone (the BigCommerce dialect's GET by uuid). */
  deploymentRef: (id: string) => ({ PK: `DEPLOYMENTREF#${id}`, SK: 'DEPLOYMENTREF' }),
  /** What the project's address serves. */
  projectSite: (projectId: string) => ({ PK: `PROJECT#${projectId}`, SK: 'SITE' }),
  /** The one-in-progress lock and the deployment count, beside the project's deployments. */
  projectLock: (projectId: string) => ({ PK: `PROJECT#${projectId}`, SK: 'LOCK' }),
  /** GSI1: every held lock, oldest lease first (few at a time: one per project in progress), for the reaper. */
  lockIndex: (leaseExpiresAt: string, projectId: string) => ({
    GSI1PK: 'LOCKS',
    GSI1SK: `${leaseExpiresAt}#${projectId}`,
  }),
  locksPartition: 'LOCKS',
  projectStats: (projectId: string) => ({ PK: `PROJECT#${projectId}`, SK: 'STATS' }),
  /** A deployment's logs, in time order, in a partition of their own (they outlive nothing: TTL). */
  deploymentLog: (deploymentId: string, sortKey: string) => ({
    PK: `DEPLOYMENTLOG#${deploymentId}`,
    SK: sortKey,
  }),
  deploymentLogPartition: (deploymentId: string) => `DEPLOYMENTLOG#${deploymentId}`,
  /** A deployment's progress trail, in order. */
  deploymentEvent: (deploymentId: string, sortKey: string) => ({
    PK: `DEPLOYMENTEVENT#${deploymentId}`,
    SK: sortKey,
  }),
  deploymentEventPartition: (deploymentId: string) => `DEPLOYMENTEVENT#${deploymentId}`,
  /** A deployment's revisions in a partition of their own, zero-padded so they sort as numbers. */
  deploymentRevision: (deploymentId: string, revision: number) => ({
    PK: `REVISION#${deploymentId}`,
    SK: `REV#${String(revision).padStart(10, '0')}`,
  }),
  deploymentRevisionPartition: (deploymentId: string) => `REVISION#${deploymentId}`,
  /** The deployments whose kept builds retention should look at (few: those deployed since its last run). */
  retentionDue: (deploymentId: string) => ({ PK: 'RETENTIONDUE', SK: deploymentId }),
  retentionDuePartition: 'RETENTIONDUE',
  /** A tenant's audit trail, in time order (TTL: the retention period). */
  auditEntry: (tenant: string, at: string, id: string) => ({ PK: `AUDIT#${tenant}`, SK: `${at}#${id}` }),
  auditPartition: (tenant: string) => `AUDIT#${tenant}`,
  /** A tenant's webhook subscriptions, and their count (the quota), in a partition of their own. */
  webhookSubscription: (tenant: string, id: string) => ({
    PK: `WEBHOOKS#${tenant}`,
    SK: `SUBSCRIPTION#${id}`,
  }),
  webhookCount: (tenant: string) => ({ PK: `WEBHOOKS#${tenant}`, SK: 'COUNT' }),
  webhooksPartition: (tenant: string) => `WEBHOOKS#${tenant}`,
  webhookSubscriptionPrefix: 'SUBSCRIPTION#',
  /** A subscription's deliveries (ids are time-ordered: newest last) and its streams' pending entries. */
  webhookDelivery: (subscriptionId: string, id: string) => ({
    PK: `WEBHOOK#${subscriptionId}`,
    SK: `DELIVERY#${id}`,
  }),
  webhookPartition: (subscriptionId: string) => `WEBHOOK#${subscriptionId}`,
  webhookDeliveryPrefix: 'DELIVERY#',
  /** A pending delivery's place in its stream: the stream's first entry is the one that may go out. */
  webhookStreamEntry: (subscriptionId: string, streamKey: string, orderKey: string, id: string) => ({
    PK: `WEBHOOK#${subscriptionId}`,
    SK: `STREAM#${streamKey}#${orderKey}#${id}`,
  }),
  webhookStreamPrefix: (streamKey: string) => `STREAM#${streamKey}#`,
  /** GSI1: every pending delivery, by when it is due (its next attempt, or its lease's end). */
  webhookDue: (dueAt: string, id: string) => ({ GSI1PK: 'WEBHOOKS#DUE', GSI1SK: `${dueAt}#${id}` }),
  webhookDuePartition: 'WEBHOOKS#DUE',
} as const;
