import type { Clock } from '../shared/clock.ts';
import { newClientId, newClientSecret, newId, newStoreToken, sha256Hex } from '../shared/ids.ts';
import type { ApiClient, CredentialRepository, SecretHasher, StoreToken } from './ports.ts';
import { isWellFormedScope } from './scopes.ts';

export interface CredentialDeps {
  credentials: CredentialRepository;
  hasher: SecretHasher;
  clock: Clock;
}

const checkScopes = (scopes: readonly string[]): void => {
  const bad = scopes.find((s) => !isWellFormedScope(s));
  if (bad !== undefined || scopes.length === 0) {
    throw new Error(`Invalid scope list: ${bad === undefined ? 'no scopes given' : `'${bad}'`}`);
  }
};

/** Creates an API client. The returned secret is shown once; only its hash is stored. */
export const createApiClient = async (
  deps: CredentialDeps,
  input: Pick<ApiClient, 'tenant' | 'name' | 'scopes' | 'accessTokenValiditySeconds'> & {
    /** commercetools' `deleteDaysAfterCreation`: the client stops working that many days on. */
    deleteDaysAfterCreation?: number;
  },
): Promise<{ client: ApiClient; secret: string }> => {
  checkScopes(input.scopes);
  const { deleteDaysAfterCreation, ...fields } = input;
  const secret = newClientSecret();
  const now = deps.clock.now();
  const client: ApiClient = {
    ...fields,
    clientId: newClientId(),
    scopes: [...new Set(input.scopes)],
    secretHash: await deps.hasher.hash(secret),
    createdAt: now.toISOString(),
    ...(deleteDaysAfterCreation !== undefined
      ? { deleteAt: new Date(now.getTime() + deleteDaysAfterCreation * 86_400_000).toISOString() }
      : {}),
  };
  await deps.credentials.putClient(client);
  return { client, secret };
};

/**
 * Gives an existing client a new secret. `npm start` uses it for the development admin
 * client so the secret it prints never has to be kept anywhere in clear.
 */
export const rotateClientSecret = async (
  deps: CredentialDeps,
  clientId: string,
): Promise<string | undefined> => {
  const secret = newClientSecret();
  const updated = await deps.credentials.setClientSecretHash(clientId, await deps.hasher.hash(secret));
  return updated ? secret : undefined;
};

/** Creates a long-lived `X-Auth-Token` bound to one store; the token is returned once, stored hashed. */
export const createStoreToken = async (
  deps: Pick<CredentialDeps, 'credentials' | 'clock'>,
  input: { tenant: string; name: string; scopes: string[] },
): Promise<{ id: string; token: string; stored: StoreToken }> => {
  checkScopes(input.scopes);
  const token = newStoreToken();
  const stored: StoreToken = {
    id: newId(),
    tenant: input.tenant,
    name: input.name,
    scopes: [...new Set(input.scopes)],
    tokenHash: sha256Hex(token),
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.credentials.putStoreToken(stored);
  return { id: stored.id, token, stored };
};
