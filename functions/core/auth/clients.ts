/**
 * Credentials as resources: a tenant's API clients (Connect dialect) and store tokens
 * (BigCommerce dialect), managed by the tenant's own callers. A caller never hands out more
 * than it holds: every scope of a new credential must be implied by one of the caller's.
 */

import { MaxResourceLimitExceeded } from '../limits/errors.ts';
import { effectiveLimits, type TenantLimits, type TenantLimitsSource } from '../limits/limits.ts';
import type { Clock } from '../shared/clock.ts';
import { ResourceNotFound } from '../shared/errors.ts';
import type { Page, PageRequest } from '../shared/listing.ts';
import { createApiClient, createStoreToken } from './credentials.ts';
import { AuthorizationError } from './errors.ts';
import type { ApiClient, CredentialRepository, SecretHasher, StoreToken } from './ports.ts';
import type { Principal } from './principal.ts';
import type { ApiClientDraft, StoreTokenDraft } from './schemas.ts';
import { firstScopeBeyond } from './scopes.ts';

export interface ClientAdminDeps {
  credentials: CredentialRepository;
  hasher: SecretHasher;
  clock: Clock;
  /** The tenant's own limits, over the configured defaults: how many credentials it may hold. */
  tenantLimits: TenantLimitsSource;
  limitDefaults: TenantLimits;
}

/**
 * Each kind of credential is capped per tenant (`credentials`, 500 by default): a tenant's rate
 * counter holds one count per credential, and a listing reads them all. Checked, not reserved:
 * creations racing each other can pass the cap by their number, which bounds nothing that matters.
 */
const assertBelowQuota = async (deps: ClientAdminDeps, tenant: string, held: () => Promise<number>) => {
  const { credentials: max } = effectiveLimits(deps.limitDefaults, await deps.tenantLimits.get(tenant));
  if ((await held()) >= max) throw new MaxResourceLimitExceeded('credentials', max);
};

/** Refuses (403) the first scope the caller does not hold itself. */
const assertWithinCallerScopes = (caller: Principal, scopes: readonly string[]): void => {
  const beyond = firstScopeBeyond(caller.scopes, scopes);
  if (beyond !== undefined) throw new AuthorizationError([beyond]);
};

/** A client counts as gone once its `deleteAt` has passed, before DynamoDB's TTL removes it. */
export const isClientLive = (client: ApiClient | undefined, now: Date): client is ApiClient =>
  client !== undefined && (client.deleteAt === undefined || Date.parse(client.deleteAt) > now.getTime());

const notFound = (id: string) => new ResourceNotFound(`The Resource with ID '${id}' was not found.`);

export const createClientFor = async (
  deps: ClientAdminDeps,
  caller: Principal,
  draft: ApiClientDraft,
): Promise<{ client: ApiClient; secret: string }> => {
  assertWithinCallerScopes(caller, draft.scope);
  await assertBelowQuota(deps, caller.tenant, async () => {
    const { total } = await deps.credentials.listClients(caller.tenant, { limit: 1, offset: 0 });
    return total ?? 0;
  });
  return createApiClient(deps, {
    tenant: caller.tenant,
    name: draft.name,
    scopes: draft.scope,
    ...(draft.accessTokenValiditySeconds !== undefined
      ? { accessTokenValiditySeconds: draft.accessTokenValiditySeconds }
      : {}),
    ...(draft.deleteDaysAfterCreation !== undefined
      ? { deleteDaysAfterCreation: draft.deleteDaysAfterCreation }
      : {}),
  });
};

export const listClientsOf = async (
  deps: ClientAdminDeps,
  caller: Principal,
  page: PageRequest,
): Promise<Page<ApiClient>> => deps.credentials.listClients(caller.tenant, page);

/** Another tenant's client answers 404, exactly as a client that does not exist. */
export const getClientOf = async (
  deps: ClientAdminDeps,
  caller: Principal,
  id: string,
): Promise<ApiClient> => {
  const client = await deps.credentials.getClient(id);
  if (!isClientLive(client, deps.clock.now()) || client.tenant !== caller.tenant) throw notFound(id);
  return client;
};

/**
 * Deleting a client refuses every token it was issued from the next request on. A caller may
 * delete only clients it could have made (so `manage_api_clients` cannot remove an admin).
 */
export const deleteClientOf = async (
  deps: ClientAdminDeps,
  caller: Principal,
  id: string,
): Promise<ApiClient> => {
  const client = await getClientOf(deps, caller, id);
  assertWithinCallerScopes(caller, client.scopes);
  if (!(await deps.credentials.deleteClient(caller.tenant, id))) throw notFound(id);
  return client;
};

export const createStoreTokenFor = async (
  deps: ClientAdminDeps,
  caller: Principal,
  draft: StoreTokenDraft,
): Promise<{ stored: StoreToken; token: string }> => {
  assertWithinCallerScopes(caller, draft.scopes);
  await assertBelowQuota(
    deps,
    caller.tenant,
    async () => (await deps.credentials.listStoreTokens(caller.tenant)).length,
  );
  return createStoreToken(deps, { tenant: caller.tenant, name: draft.name, scopes: draft.scopes });
};

export const listStoreTokensOf = (deps: ClientAdminDeps, caller: Principal): Promise<StoreToken[]> =>
  deps.credentials.listStoreTokens(caller.tenant);

/** As for clients, a caller may revoke only the store tokens it could have made. */
export const deleteStoreTokenOf = async (
  deps: ClientAdminDeps,
  caller: Principal,
  id: string,
): Promise<void> => {
  const notFoundToken = new ResourceNotFound(`The access token '${id}' was not found.`);
  const token = (await deps.credentials.listStoreTokens(caller.tenant)).find((t) => t.id === id);
  if (!token) throw notFoundToken;
  assertWithinCallerScopes(caller, token.scopes);
  if (!(await deps.credentials.deleteStoreToken(token))) throw notFoundToken;
};
