/**
 * What Slipway announces as it happens: on AWS the stack's EventBridge bus (`detail-type` the
 * event's `type`), locally an in-process bus. Webhooks, the CDN cache and the event archive
 * subscribe; nothing waits for them (see `DomainEvents`). Schemas are in docs/aws.md.
 */
import type { DeploymentStatus } from '../deployments/model.ts';

/** A deployment's status as events name it: its statuses, and `Removed` once undeployed. */
export type AnnouncedStatus = DeploymentStatus | 'Removed';

/** A deployment's status changed (every transition, in order per deployment). */
export interface DeploymentStatusChanged {
  type: 'DeploymentStatusChanged';
  tenant: string;
  projectKey: string;
  deploymentId: string;
  deploymentKey?: string;
  operationId: string;
  status: AnnouncedStatus;
  /** The status it left; absent when the deployment was just created. */
  from?: AnnouncedStatus;
  version: number;
  /** Set when the operation restored a revision (a rollback): the revision restored. */
  rollbackRevision?: number;
  at: string;
}

/** A deployed application failed its health check too often in a row, or answers again. */
export interface ApplicationHealthChanged {
  type: 'ApplicationHealthChanged';
  tenant: string;
  projectKey: string;
  deploymentId: string;
  deploymentKey?: string;
  applicationName: string;
  healthy: boolean;
  /** What was seen (the last check's outcome), in words a tenant can act on. */
  message: string;
  at: string;
}

/** A connector version was published (Connect's ConnectorStaged → Connector). */
export interface ConnectorPublished {
  type: 'ConnectorPublished';
  tenant: string;
  connectorId: string;
  connectorKey?: string;
  /** The published connector's version. */
  version: number;
  at: string;
}

export type DomainEvent = DeploymentStatusChanged | ApplicationHealthChanged | ConnectorPublished;

/**
 * Publishes domain events: EventBridge on AWS, an in-process bus locally. Publishing never
 * throws: an event that cannot be delivered is logged by the adapter, and the change it
 * describes stands (the deployment and its trail are the record).
 */
export interface DomainEvents {
  publish(event: DomainEvent): Promise<void>;
}
