/**
 * Credentials as resources: a tenant's API clients (Connect dialect) and store tokens
 * (BigCommerce dialect), managed by the tenant's own callers. A caller never hands out more
 * than it holds: every scope of a new credential must be implied by one of the caller's.
 */
import type { Clock } from '../shared/clock.ts';
import { ResourceNotFound } from '../shared/errors.ts';
import type { Page, PageRequest } from '../shared/listing.ts';
import { createApiClient, createStoreToken } from './credentials.ts';
import { AuthorizationError } from './errors.ts';
import type { ApiClient, CredentialRepository, SecretHasher, StoreToken } from './ports.ts';
import type { Principal } from './principal.ts';
import type { ApiClientDraft, StoreTokenDraft } from './schemas.ts';
import { scopeImplies } from './scopes.ts';

export interface ClientAdminDeps {
  credentials: CredentialRepository;
  hasher: SecretHasher;
  clock: Clock;
}

/** Refuses (403) the first scope the caller does not hold itself. */
const assertWithinCallerScopes = (caller: Principal, scopes: readonly string[]): void => {
  const beyond = scopes.find((scope) => !caller.scopes.some((held) => scopeImplies(held, scope)));
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
