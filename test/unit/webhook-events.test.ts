/** Which webhook events a domain event is, and what their payloads carry. */
import { describe, expect, it } from 'vitest';
import type { DeploymentStatusChanged, DomainEvent } from '../../functions/core/shared/domain-events.ts';
import { messagesOf } from '../../functions/core/webhooks/events.ts';

const change = (
  status: DeploymentStatusChanged['status'],
  extra: Partial<DeploymentStatusChanged> = {},
): DomainEvent => ({
  type: 'DeploymentStatusChanged',
  tenant: 't',
  projectKey: 'shop',
  deploymentId: 'd-1',
  deploymentKey: 'site',
  operationId: 'op-1',
  status,
  version: 4,
  at: '2026-12-07T10:00:00.000Z',
  ...extra,
});

const typesOf = (event: DomainEvent) => messagesOf(event, undefined).map((m) => m.type);
const snapshot = { view: { id: 'd-1', key: 'site', status: 'Deployed', version: 4 }, version: 4 };

describe('webhook events from domain events', () => {
  it.each([
    [change('Queued', { version: 1 }), ['deployment.created', 'deployment.status_changed']],
    [change('Deploying', { from: 'Queued' }), ['deployment.status_changed']],
    [change('Deployed', { from: 'Deploying' }), ['deployment.status_changed', 'deployment.deployed']],
    [
      change('Deployed', { from: 'Deploying', rollbackRevision: 2 }),
      ['deployment.status_changed', 'deployment.rolled_back'],
    ],
    [change('Failed', { from: 'Deploying' }), ['deployment.status_changed', 'deployment.failed']],
    [change('UndeployFailed', { from: 'Undeploying' }), ['deployment.status_changed', 'deployment.failed']],
    [change('Removed', { from: 'Undeploying' }), ['deployment.status_changed', 'deployment.deleted']],
  ])('%# maps a status change to its events', (event, types) => {
    expect(typesOf(event)).toEqual(types);
  });

  it('maps health changes and publications', () => {
    const health = (healthy: boolean): DomainEvent => ({
      type: 'ApplicationHealthChanged',
      tenant: 't',
      projectKey: 'shop',
      deploymentId: 'd-1',
      applicationName: 'service',
      healthy,
      message: healthy ? 'answers again' : '3 checks failed in a row',
      at: '2026-12-07T10:05:00.000Z',
    });
    const published: DomainEvent = {
      type: 'ConnectorPublished',
      tenant: 't',
      connectorId: 'c-1',
      connectorKey: 'payments',
      version: 2,
      at: '2026-12-07T10:00:00.000Z',
    };

    expect(typesOf(health(false))).toEqual(['deployment.unhealthy']);
    expect(typesOf(health(true))).toEqual(['deployment.recovered']);
    expect(JSON.parse(messagesOf(health(false), snapshot)[0]?.body ?? '')).toMatchObject({
      type: 'deployment.unhealthy',
      data: {
        applicationName: 'service',
        healthy: false,
        message: '3 checks failed in a row',
        deployment: snapshot.view,
      },
    });
    expect(JSON.parse(messagesOf(published, undefined)[0]?.body ?? '')).toMatchObject({
      type: 'connector.published',
      data: { connectorId: 'c-1', connectorKey: 'payments', version: 2 },
    });
  });

  it('carries from, to, the rollback and the view; a gone deployment is its id and key', () => {
    const [message] = messagesOf(change('Deployed', { from: 'Deploying', rollbackRevision: 2 }), snapshot);
    const [gone] = messagesOf(change('Removed', { from: 'Undeploying' }), undefined);

    expect(JSON.parse(message?.body ?? '')).toEqual({
      id: message?.messageId,
      type: 'deployment.status_changed',
      timestamp: '2026-12-07T10:00:00.000Z',
      data: {
        projectKey: 'shop',
        deploymentId: 'd-1',
        deploymentKey: 'site',
        deployment: snapshot.view,
        from: 'Deploying',
        to: 'Deployed',
        rollbackRevision: 2,
      },
    });
    expect(JSON.parse(gone?.body ?? '').data.deployment).toEqual({ id: 'd-1', key: 'site' });
  });

  it('derives ids from the event (a repeat makes the same), and orders a deployment by version, then time', () => {
    const first = messagesOf(change('Deploying', { from: 'Queued', version: 2 }), undefined);
    const again = messagesOf(change('Deploying', { from: 'Queued', version: 2 }), undefined);
    const later = messagesOf(
      change('Deployed', { from: 'Deploying', version: 10, at: '2026-12-07T09:00:00.000Z' }),
      undefined,
    );

    expect(again.map((m) => m.messageId)).toEqual(first.map((m) => m.messageId));
    expect(first[0]?.messageId).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    expect(first[0]?.streamKey).toBe('deployment:d-1');
    // Version 10 comes after version 2 though its clock said earlier.
    expect((later[0]?.orderKey ?? '') > (first[0]?.orderKey ?? '')).toBe(true);
  });
});
