import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventBridgeDomainEvents } from '../../functions/adapters/events/eventbridge-bus.ts';
import type { DeploymentStatusChanged } from '../../functions/core/shared/domain-events.ts';

// EventBridge has no local stand-in: the adapter is checked by the calls it makes.
const bridge = mockClient(EventBridgeClient);

const event: DeploymentStatusChanged = {
  type: 'DeploymentStatusChanged',
  tenant: 'acme',
  projectKey: 'shop',
  deploymentId: '0198c0de-0000-7000-8000-000000000001',
  deploymentKey: 'greeter',
  operationId: 'op-1',
  status: 'Deployed',
  version: 7,
  at: '2026-12-06T12:00:00.000Z',
};

beforeEach(() => bridge.reset());

describe('domain events on EventBridge', () => {
  it('puts each event on the named bus: source slipway, its type as detail-type, the event as detail', async () => {
    bridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });

    await eventBridgeDomainEvents(() => 'slipway-events').publish(event);

    const [entry] = bridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries ?? [];
    expect(entry).toEqual({
      EventBusName: 'slipway-events',
      Source: 'slipway',
      DetailType: 'DeploymentStatusChanged',
      Detail: JSON.stringify(event),
      Time: new Date('2026-12-06T12:00:00.000Z'),
    });
    expect(JSON.parse(String(entry?.Detail))).toEqual(event);
  });

  it('never fails the change it reports: a refused entry and a failed call both resolve', async () => {
    bridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure' }] })
      .rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));

    const bus = eventBridgeDomainEvents(() => 'slipway-events');
    await expect(bus.publish(event)).resolves.toBeUndefined();
    await expect(bus.publish(event)).resolves.toBeUndefined();
    expect(bridge.commandCalls(PutEventsCommand)).toHaveLength(2);
  });
});
