/**
 * The subscriptions' use cases, shared by both dialects: the Connect dialect scopes a
 * subscription to a project (`/{projectKey}/webhooks`), the BigCommerce dialect to the whole
 * store. A subscription outside the scope it is asked for is not found (404), as another
 * tenant's is.
 */
import type { SecretCipher } from '../deployments/ports.ts';
import type { ProjectRepository } from '../projects/ports.ts';
import type { Clock } from '../shared/clock.ts';
import { ConcurrentModification, ResourceNotFound } from '../shared/errors.ts';
import { newId } from '../shared/ids.ts';
import type { Page } from '../shared/listing.ts';
import { subscriptionNotFound } from './errors.ts';
import { MAX_SUBSCRIPTIONS_PER_TENANT, type Subscription, type SubscriptionScope } from './model.ts';
import type { DeliveryRepository, DispatchTrigger, SubscriptionRepository, WebhookSigner } from './ports.ts';
import type { WebhookChanges, WebhookDraft } from './schemas.ts';
import { afterRotation, sealSecret } from './secrets.ts';
import { assertDeliverableUrl, type UrlPolicy } from './urls.ts';

export interface WebhookDeps {
  subscriptions: SubscriptionRepository;
  deliveries: DeliveryRepository;
  projects: Pick<ProjectRepository, 'get'>;
  cipher: SecretCipher;
  signer: Pick<WebhookSigner, 'newSecret'>;
  trigger: DispatchTrigger;
  clock: Clock;
  settings: UrlPolicy;
}

/** What a route names: a project of the tenant (Connect), or the store itself (BigCommerce). */
export type ScopeRequest = { projectKey: string } | 'store';

/** The scope a request names; a project that does not exist is not found. */
const scopeOf = async (
  deps: Pick<WebhookDeps, 'projects'>,
  tenant: string,
  request: ScopeRequest,
): Promise<SubscriptionScope> => {
  if (request === 'store') return { kind: 'store' };
  if (!(await deps.projects.get(tenant, request.projectKey)))
    throw new ResourceNotFound(`The project with key '${request.projectKey}' was not found.`);
  return { kind: 'project', projectKey: request.projectKey };
};

const sameScope = (a: SubscriptionScope, b: SubscriptionScope) =>
  a.kind === b.kind && (a.kind === 'store' || (b.kind === 'project' && a.projectKey === b.projectKey));

/** The subscription `id` of the tenant, in the scope the route names; 404 otherwise. */
export const ownedSubscription = async (
  deps: Pick<WebhookDeps, 'projects' | 'subscriptions'>,
  tenant: string,
  request: ScopeRequest,
  id: string,
): Promise<Subscription> => {
  const scope = await scopeOf(deps, tenant, request);
  const subscription = await deps.subscriptions.get(tenant, id);
  if (!subscription || !sameScope(subscription.scope, scope)) throw subscriptionNotFound(id);
  return subscription;
};

/** `version`, when a write names one, must be the subscription's current one. */
const assertVersion = (current: Subscription, version: number | undefined): void => {
  if (version !== undefined && version !== current.version)
    throw new ConcurrentModification(version, current.version);
};

/** A new subscription and its signing secret, which is shown in this answer only. */
export const createSubscription = async (
  deps: WebhookDeps,
  tenant: string,
  request: ScopeRequest,
  draft: WebhookDraft,
): Promise<{ subscription: Subscription; secret: string }> => {
  // Not found comes before a bad URL: another tenant's project says nothing about the body.
  const scope = await scopeOf(deps, tenant, request);
  assertDeliverableUrl(draft.url, deps.settings);
  const now = deps.clock.now().toISOString();
  const id = newId();
  const secret = deps.signer.newSecret();
  const subscription: Subscription = {
    id,
    tenant,
    scope,
    url: draft.url,
    events: draft.events,
    ...(draft.description === undefined ? {} : { description: draft.description }),
    active: true,
    secrets: [await sealSecret(deps.cipher, tenant, id, secret, now)],
    version: 1,
    createdAt: now,
    lastModifiedAt: now,
  };
  await deps.subscriptions.create(subscription, MAX_SUBSCRIPTIONS_PER_TENANT);
  return { subscription, secret };
};

/** The scope's subscriptions, oldest first, a page at a time. */
export const listSubscriptions = async (
  deps: Pick<WebhookDeps, 'projects' | 'subscriptions'>,
  tenant: string,
  request: ScopeRequest,
  page: { limit: number; offset: number },
): Promise<Page<Subscription>> => {
  const scope = await scopeOf(deps, tenant, request);
  const mine = (await deps.subscriptions.listAll(tenant)).filter((s) => sameScope(s.scope, scope));
  return { results: mine.slice(page.offset, page.offset + page.limit), total: mine.length };
};

/**
 * Changes the URL, events, description or whether it is active. `version`, when given (always
 * in the Connect dialect), must be the current one. Reactivating clears why it was disabled.
 */
export const updateSubscription = async (
  deps: WebhookDeps,
  tenant: string,
  request: ScopeRequest,
  id: string,
  changes: WebhookChanges,
): Promise<Subscription> => {
  const current = await ownedSubscription(deps, tenant, request, id);
  if (changes.url !== undefined) assertDeliverableUrl(changes.url, deps.settings);
  assertVersion(current, changes.version);
  const { description: _, disabledReason: __, disabledAt: ___, failingSince: ____, ...rest } = current;
  const description = changes.description === undefined ? current.description : changes.description;
  const active = changes.active ?? current.active;
  const next: Subscription = {
    ...rest,
    ...(changes.url === undefined ? {} : { url: changes.url }),
    ...(changes.events === undefined ? {} : { events: changes.events }),
    ...(description === undefined || description === null ? {} : { description }),
    active,
    // Still off: it says why; turned on again: it starts with a clean slate.
    ...(!active && current.disabledReason
      ? { disabledReason: current.disabledReason, disabledAt: current.disabledAt }
      : {}),
    ...(active && current.active && current.failingSince ? { failingSince: current.failingSince } : {}),
    version: current.version + 1,
    lastModifiedAt: deps.clock.now().toISOString(),
  };
  await deps.subscriptions.update(next, current.version);
  return next;
};

/** Deletes it; its pending deliveries are dropped when they fall due. */
export const deleteSubscription = async (
  deps: Pick<WebhookDeps, 'projects' | 'subscriptions'>,
  tenant: string,
  request: ScopeRequest,
  id: string,
  version?: number,
): Promise<Subscription> => {
  const current = await ownedSubscription(deps, tenant, request, id);
  assertVersion(current, version);
  if (!(await deps.subscriptions.delete(current))) throw subscriptionNotFound(id);
  return current;
};

/** A new signing secret (shown in this answer only); the old one signs beside it for 24 hours. */
export const rotateSecret = async (
  deps: WebhookDeps,
  tenant: string,
  request: ScopeRequest,
  id: string,
): Promise<{ subscription: Subscription; secret: string }> => {
  const current = await ownedSubscription(deps, tenant, request, id);
  const now = deps.clock.now();
  const secret = deps.signer.newSecret();
  const fresh = await sealSecret(deps.cipher, tenant, id, secret, now.toISOString());
  const next: Subscription = {
    ...current,
    secrets: afterRotation(current, fresh, now),
    version: current.version + 1,
    lastModifiedAt: now.toISOString(),
  };
  await deps.subscriptions.update(next, current.version);
  return { subscription: next, secret };
};
