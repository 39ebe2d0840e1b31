/**
 * Where domain events go: the stack's EventBridge bus when the stack names one (AWS), the
 * in-process bus of `npm start` otherwise. Both behind the same port, so no use case or
 * handler knows which.
 */
import { eventBridgeDomainEvents } from '../adapters/events/eventbridge-bus.ts';
import { localDomainEvents } from '../adapters/events/local-bus.ts';
import { config } from '../config.ts';
import type { DomainEvents } from '../core/shared/domain-events.ts';

const bridge = eventBridgeDomainEvents(() => config.eventBusName ?? '');

export const domainEvents: DomainEvents = {
  publish: (event) => (config.eventBusName ? bridge : localDomainEvents).publish(event),
};
