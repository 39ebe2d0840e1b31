import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_SCOPE } from '../core/auth/scopes.ts';

/** A 256-bit key, generated once into the data dir (mode 0600) and reused on every start. */
export const loadOrCreateKey = (dataDir: string, name: string): string => {
  const file = join(dataDir, name);
  if (existsSync(file)) {
    // A key written by an older version may be readable by others: it is the owner's only.
    chmodSync(file, 0o600);
    return readFileSync(file, 'utf8').trim();
  }
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return key;
};

/**
 * The credentials the embedded services accept (DynamoDB Local keeps one database per access
 * key id, the S3 server checks signatures, the Step Functions endpoint checks the key id): made
 * once per data folder and kept there (0600), so no other user of the machine, and no tenant's
 * code, can reach Slipway's data through those loopback ports.
 */
export const loadOrCreateLocalCredentials = (
  dataDir: string,
): { accessKeyId: string; secretAccessKey: string } => {
  const accessKeyId = `SLW${createHash('sha256').update(loadOrCreateKey(dataDir, 'local-access.key')).digest('hex').slice(0, 17).toUpperCase()}`;
  return { accessKeyId, secretAccessKey: loadOrCreateKey(dataDir, 'local-secret.key') };
};

/** The HS256 token key. */
export const loadOrCreateJwtKey = (dataDir: string): string => loadOrCreateKey(dataDir, 'jwt.key');

interface DevState {
  tenant: string;
  adminClientId: string;
}

const DEV_FILE = 'dev.json';

export const readDevState = (dataDir: string): DevState | undefined => {
  const file = join(dataDir, DEV_FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as DevState) : undefined;
};

/**
 * The development admin client: created on the first start (with a new tenant), and on
 * every later start given a fresh secret, so the secret printed at start-up is never kept
 * in clear anywhere, not even in the data dir. Only ids are stored in `dev.json`.
 * Must run after the stack has set the environment (the adapters read it).
 */
export const ensureDevAdmin = async (
  dataDir: string,
): Promise<{ tenant: string; clientId: string; secret: string; token: string }> => {
  const { authDeps: deps } = await import('../wiring/auth.ts');
  const { createApiClient, rotateClientSecret } = await import('../core/auth/credentials.ts');
  const { newTenantId } = await import('../core/shared/ids.ts');

  const state = readDevState(dataDir);
  let tenant = state?.tenant ?? newTenantId();
  let clientId = state?.adminClientId;
  let secret = clientId ? await rotateClientSecret(deps, clientId) : undefined;
  if (!clientId || !secret) {
    const created = await createApiClient(deps, { tenant, name: 'Development admin', scopes: [ADMIN_SCOPE] });
    ({ clientId } = created.client);
    tenant = created.client.tenant;
    secret = created.secret;
    writeFileSync(
      join(dataDir, DEV_FILE),
      `${JSON.stringify({ tenant, adminClientId: clientId }, null, 2)}\n`,
    );
  }
  // Printed once at start-up for convenience; a day is the "at least 12 h" the README promises.
  const token = await deps.tokens.sign({ clientId, tenant, scopes: [ADMIN_SCOPE] }, 24 * 3600);
  return { tenant, clientId, secret, token };
};

/**
 * Gives credentials of an older version their place in their tenant's listings
 * (`indexOlderCredentials`), so the API can list and revoke them. Run on every start.
 */
export const indexOlderCredentialsOnStart = async (): Promise<number> => {
  const { indexOlderCredentials } = await import('../adapters/dynamodb/credential-index.ts');
  const { config } = await import('../config.ts');
  return indexOlderCredentials(config.tableName);
};

/** Every scope of the BigCommerce dialect, which the development store's token holds. */
export const STORE_SCOPES = [
  'store_infrastructure_deployments_read_only',
  'store_infrastructure_deployments_create_preview',
  'store_infrastructure_deployments_manage',
  'store_infrastructure_projects_read_only',
  'store_infrastructure_projects_manage',
  'store_infrastructure_logs_read_only',
  'store_infrastructure_access_tokens_manage',
];

const DEV_STORE_TOKEN_FILE = 'dev-store.token';

/**
 * The development store: the development tenant itself (so a project made in one dialect shows
 * in the other), with one `X-Auth-Token` kept for good. Made on the first start, kept in the
 * data folder (`dev-store.token`, 0600) and printed again on every start, so a token exported
 * in a shell keeps working across restarts and tokens do not pile up, one per start. Keeping it
 * in clear there exposes nothing new: `jwt.key` beside it can mint any token. A token that is
 * gone from the table (another data folder's, or revoked) is replaced by a new one.
 */
export const devStoreToken = async (
  dataDir: string,
  tenant: string,
): Promise<{ storeHash: string; token: string }> => {
  const { authDeps: deps } = await import('../wiring/auth.ts');
  const { createStoreToken } = await import('../core/auth/credentials.ts');
  const { sha256Hex } = await import('../core/shared/ids.ts');
  const file = join(dataDir, DEV_STORE_TOKEN_FILE);
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const kept = readFileSync(file, 'utf8').trim();
    const known = await deps.credentials.getStoreTokenByHash(sha256Hex(kept));
    // A token of an older version, which lacks a scope added since, is replaced (and revoked).
    const current = known?.tenant === tenant && STORE_SCOPES.every((s) => known.scopes.includes(s));
    if (current) return { storeHash: tenant, token: kept };
    if (known) await deps.credentials.deleteStoreToken(known);
  }
  const { token } = await createStoreToken(deps, { tenant, name: 'Development store', scopes: STORE_SCOPES });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { storeHash: tenant, token };
};
