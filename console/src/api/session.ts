/**
 * The signed-in credential, in session storage: it lives as long as the tab, is not shared
 * with other tabs and is gone when the browser closes. Only the access token is kept, never a
 * client secret.
 */
const KEY = 'slipway.session';

export interface Session {
  token: string;
  /** Who signed in, as the token endpoint or introspection said (shown in the header). */
  clientId?: string;
  scope?: string;
  /** The tenant, which is also the BigCommerce store hash. */
  tenant?: string;
}

export const readSession = (): Session | undefined => {
  try {
    const raw = sessionStorage.getItem(KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : undefined;
    return parsed && typeof parsed === 'object' && typeof (parsed as Session).token === 'string'
      ? (parsed as Session)
      : undefined;
  } catch {
    return undefined;
  }
};

export const saveSession = (session: Session): void => sessionStorage.setItem(KEY, JSON.stringify(session));

export const clearSession = (): void => sessionStorage.removeItem(KEY);
