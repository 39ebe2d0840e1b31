import { EventEmitter } from 'node:events';
import type { DomainEvent, DomainEvents } from '../../core/shared/domain-events.ts';

/**
 * The in-process bus of `npm start`: one emitter per process, shared by every function bundle
 * loaded in it (each bundle has its own module state, so it lives on `globalThis`). The local
 * stack subscribes to it; on AWS, EventBridge takes its place behind the same port.
 */
const KEY = Symbol.for('slipway.domain-events');

export const localEventBus = (): EventEmitter => {
  const holder = globalThis as { [KEY]?: EventEmitter };
  holder[KEY] ??= new EventEmitter();
  return holder[KEY];
};

export const DOMAIN_EVENT = 'domain-event';

export const localDomainEvents: DomainEvents = {
  async publish(event: DomainEvent) {
    try {
      localEventBus().emit(DOMAIN_EVENT, event);
    } catch {
      // A subscriber's fault is the subscriber's: the change stands (see DomainEvents).
    }
  },
};
