/**
 * Where domain events go. Today only the in-process bus of `npm start` exists; on AWS the
 * stack's EventBridge bus takes its place here, behind the same port, so no use case or
 * handler changes when it does.
 */
import { localDomainEvents } from '../adapters/events/local-bus.ts';
import type { DomainEvents } from '../core/deployments/ports.ts';

export const domainEvents: DomainEvents = localDomainEvents;
