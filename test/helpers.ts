import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createApiClient, createStoreToken } from '../functions/core/auth/credentials.ts';
import { newClientId, newTenantId } from '../functions/core/shared/ids.ts';
import { authDeps as deps } from '../functions/wiring/auth.ts';

export const gatewayUrl = (): string => inject('gatewayUrl');

// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked field by field with expect
export type JsonBody = any;
/** A fetch Response whose `json()` can be asserted on without casts. */
export type ApiResponse = Omit<Response, 'json'> & { json(): Promise<JsonBody> };

/** A request to the run's local gateway; the body is sent as JSON unless it is a string. */
export const api = (
  path: string,
  init: { method?: string; token?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<ApiResponse> => {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (typeof init.body === 'string') body = init.body;
  else if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  return fetch(`${gatewayUrl()}${path}`, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body });
};

/** A key no other test uses, so test files can share one stack. */
export const uniqueKey = (prefix = 'p'): string => `${prefix}-${randomBytes(6).toString('hex')}`;

export const newTenant = (): string => newTenantId();

/**
 * An access token signed with the stack's key, as `POST /oauth/token` would issue: for a client
 * recorded with these scopes (a token holds only while its client exists), without the scrypt cost
 * of a real secret (the record's hash matches no secret, so the client cannot obtain tokens itself).
 */
export const tokenFor = async (tenant: string, scopes: string[], ttlSeconds = 3600): Promise<string> => {
  const clientId = await testClientId(tenant, scopes);
  return deps.tokens.sign({ clientId, tenant, scopes }, ttlSeconds);
};

/** Records a client that can hold tokens but never obtain one; returns its id. */
export const testClientId = async (tenant: string, scopes: string[]): Promise<string> => {
  const clientId = newClientId();
  await deps.credentials.putClient({
    clientId,
    tenant,
    name: 'test client',
    scopes,
    secretHash: 'none',
    createdAt: new Date().toISOString(),
  });
  return clientId;
};

export const createClient = (tenant: string, scopes: string[]) =>
  createApiClient(deps, { tenant, name: 'test client', scopes });

export const createStoreAccessToken = (tenant: string, scopes: string[]) =>
  createStoreToken(deps, { tenant, name: 'test store token', scopes });
