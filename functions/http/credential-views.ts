/** Wire shapes of credentials: never a hash, and a secret only in the response that made it. */
import type { ApiClient, StoreToken } from '../core/auth/ports.ts';

/** commercetools' APIClient; `secret` only when the client was just made. */
export const apiClientView = (c: ApiClient, secret?: string) => ({
  id: c.clientId,
  name: c.name,
  scope: c.scopes.join(' '),
  ...(secret !== undefined ? { secret } : {}),
  createdAt: c.createdAt,
  ...(c.lastUsedAt !== undefined ? { lastUsedAt: c.lastUsedAt } : {}),
  ...(c.deleteAt !== undefined ? { deleteAt: c.deleteAt } : {}),
  ...(c.accessTokenValiditySeconds !== undefined
    ? { accessTokenValiditySeconds: c.accessTokenValiditySeconds }
    : {}),
});

/** A store's access token, BigCommerce-style (snake case); `token` only when it was just made. */
export const storeTokenView = (t: StoreToken, token?: string) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  ...(token !== undefined ? { token } : {}),
  date_created: t.createdAt,
});
