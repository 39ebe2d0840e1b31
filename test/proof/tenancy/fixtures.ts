import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { ROUTES, routeKey } from '../../../functions/http/routes.ts';
import { settle, storeUpload, text, zipBytes } from '../../fixtures/connectors.ts';
import { operationEnd } from '../../fixtures/workflows.ts';
import {
  type ApiResponse,
  api,
  createClient,
  createStoreAccessToken,
  type JsonBody,
  newTenant,
  tokenFor,
  uniqueKey,
} from '../../helpers.ts';

/**
 * The two tenants of the cross-tenant matrix. Tenant B owns one of everything, made through
 * the public API (a Deployed Connect deployment holding the run's canary as a secured value,
 * a published private connector, a completed BigCommerce site deployment holding it as a
 * secret variable, credentials); tenant A owns a project and a store project of its own, so
 * a request can name A's container and B's resource inside it.
 */

const STORE = (hash: string) => `/stores/${hash}/v3/infrastructure`;

const CONNECT_YAML = `
deployAs:
  - name: service
    applicationType: service
    endpoint: /service
    configuration:
      standardConfiguration:
        - key: GREETING
          description: what it says
      securedConfiguration:
        - key: SECRET_TOKEN
          description: a secret it never shows
          required: true
`;

/** Answers every request the same, prints nothing it was given; on loopback, as hosting asks. */
const SILENT_SERVER = `require('node:http').createServer((q, s) => { q.resume(); s.end('ok'); }).listen(process.env.PORT, process.env.HOST || '127.0.0.1');`;

const connectorZip = () =>
  zipBytes({ 'connect.yaml': text(CONNECT_YAML), 'service/server.js': text(SILENT_SERVER) });

export const hasRoute = (key: string): boolean => ROUTES.some((route) => routeKey(route) === key);

const json = async (res: ApiResponse, status: number): Promise<JsonBody> => {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return body === '' ? undefined : JSON.parse(body);
};

/** A store call with an X-Auth-Token (api() would send the token as a bearer token). */
export const storeCall = (
  hash: string,
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<ApiResponse> => api(`${STORE(hash)}${path}`, { ...init, headers: { 'x-auth-token': token } });

/** OAuth2 client credentials on a form route (`/oauth/token`, `/oauth/revoke`, `/oauth/introspect`). */
export const oauthCall = (path: string, client: { id: string; secret: string }, form: string) =>
  api(path, {
    body: form,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
    },
  });

/** An API client made with the helper, and an access token issued to it by `POST /oauth/token`. */
const issuedToken = async (tenant: string, scopes: string[]) => {
  const { client, secret } = await createClient(tenant, scopes);
  const issued = await json(
    await oauthCall('/oauth/token', { id: client.clientId, secret }, 'grant_type=client_credentials'),
    200,
  );
  return { id: client.clientId, name: client.name, secret, accessToken: issued.access_token as string };
};

/** Every scope tenant B's resources could be named by: what a careless authorizer might take for B's. */
const STORE_SCOPES = [
  'store_infrastructure_projects_manage',
  'store_infrastructure_projects_read_only',
  'store_infrastructure_deployments_manage',
  'store_infrastructure_deployments_create_preview',
  'store_infrastructure_deployments_read_only',
  'store_infrastructure_logs_read_only',
];

export interface TenantB {
  tenant: string;
  /** Connect: an admin bearer token; BigCommerce: an all-scopes store token. */
  admin: string;
  store: string;
  projectKey: string;
  projectId: string;
  uploadId: string;
  draftId: string;
  draftKey: string;
  draftVersion: number;
  connectorId: string;
  deploymentId: string;
  deploymentKey: string;
  deploymentVersion: number;
  storeProjectUuid: string;
  storeProjectName: string;
  /** The Connect key of the store project (BigCommerce projects are Connect projects too). */
  storeProjectKey: string;
  storeUploadUuid: string;
  storeDeploymentUuid: string;
  /** API clients of B: from the helper (always), and from `POST /api-clients` once that route exists. */
  clients: { id: string; name: string; secret: string; accessToken?: string }[];
  /** Store tokens of B other than `store`: from the helper, and from `POST …/access-tokens` once it exists. */
  storeTokens: { id: string; name: string; token: string }[];
  /** The ids of every API client and store token B's own listings show (those of the helpers included). */
  credentialIds: string[];
  /** Two access tokens of two other clients of B, for the revocation case. */
  revocable: { id: string; secret: string; accessToken: string }[];
  /** Strings only B's data holds: names, configuration values, and the run's canary (a secret). */
  data: string[];
  /** B's webhook subscriptions (one per dialect) and a delivery of each, where those routes exist. */
  webhooks?: { connectId: string; storeId: string; connectDeliveryId: string; storeDeliveryId: string };
}

export interface TenantA {
  tenant: string;
  /** A Connect token holding every scope (admin, and each route's scope named for B's resources). */
  connect: string;
  /** A store token of A's store holding the same scopes. */
  store: string;
  projectKey: string;
  storeProjectUuid: string;
  /** The scopes both credentials hold: some name B's project, so A's own listings show them. */
  scopes: string[];
  /** An API client of A, for the client-authenticated OAuth routes. */
  client: { id: string; secret: string };
}

const connectSide = async (tenant: string, admin: string, marker: string, canary: string) => {
  const projectKey = uniqueKey('tenancy-b');
  const project = await json(
    await api('/projects', { token: admin, body: { key: projectKey, name: `B project ${marker}` } }),
    201,
  );
  const [deployUpload, draftUpload] = await Promise.all([
    storeUpload(admin, projectKey, connectorZip()),
    storeUpload(admin, projectKey, connectorZip()),
  ]);
  const draftKey = uniqueKey('tenancy-b-conn');
  const draft = await json(
    await api('/connectors/drafts', {
      token: admin,
      body: {
        key: draftKey,
        name: `B connector ${marker}`,
        creator: { email: 'b@example.com', company: `B company ${marker}` },
        artifact: { projectKey, uploadId: draftUpload },
      },
    }),
    201,
  );
  // Published without certification: private to B (a certified connector is every tenant's to see).
  await json(
    await api(`/connectors/drafts/${draft.id}`, {
      token: admin,
      body: { version: draft.version, actions: [{ action: 'publish', certification: false }] },
    }),
    200,
  );
  const deploymentKey = uniqueKey('tenancy-b-dep');
  const created = await json(
    await api(`/${projectKey}/deployments`, {
      token: admin,
      body: {
        key: deploymentKey,
        artifact: { uploadId: deployUpload },
        region: 'local',
        configurations: [
          {
            applicationName: 'service',
            standardConfiguration: [{ key: 'GREETING', value: `B greeting ${marker}` }],
            securedConfiguration: [{ key: 'SECRET_TOKEN', value: canary }],
          },
        ],
      },
    }),
    201,
  );
  const [ended] = await Promise.all([operationEnd(created), settle(tenant, draft.id)]);
  expect(ended).toBe('SUCCEEDED');
  const [deployed, settled, connector] = await Promise.all([
    json(await api(`/${projectKey}/deployments/${created.id}`, { token: admin }), 200),
    json(await api(`/connectors/drafts/${draft.id}`, { token: admin }), 200),
    json(await api(`/connectors/key=${draftKey}`, { token: admin }), 200),
  ]);
  expect(deployed.status).toBe('Deployed');
  return {
    projectKey,
    projectId: project.id as string,
    uploadId: deployUpload,
    draftId: draft.id as string,
    draftKey,
    draftVersion: settled.version as number,
    connectorId: connector.id as string,
    deploymentId: created.id as string,
    deploymentKey,
    deploymentVersion: deployed.version as number,
  };
};

const bigCommerceSide = async (hash: string, token: string, marker: string, canary: string) => {
  const name = `b-site-${marker}`;
  const project = await json(await storeCall(hash, token, '/projects', { body: { name } }), 200);
  const signed = await json(await storeCall(hash, token, '/deployments/uploads', { method: 'POST' }), 200);
  const put = await fetch(signed.data.upload_url, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: zipBytes({ 'output/server.js': text(SILENT_SERVER) }),
  });
  expect(put.status).toBe(200);
  const created = await json(
    await storeCall(hash, token, '/deployments', {
      body: {
        upload_uuid: signed.data.upload_uuid,
        project_uuid: project.data.uuid,
        environment_variables: [
          { type: 'plain_text', key: 'GREETING', value: `B site greeting ${marker}` },
          { type: 'secret', key: 'API_SECRET', value: canary },
        ],
      },
    }),
    200,
  );
  const uuid = created.data.deployment_uuid as string;
  // The deployment's workflow runs in the stack's process: nothing here can await it but a read.
  let status = '';
  for (let i = 0; i < 600 && !['completed', 'failed'].includes(status); i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 100));
    status = (await json(await storeCall(hash, token, `/deployments/${uuid}`), 200)).data.deployment_status;
  }
  expect(status).toBe('completed');
  return {
    storeProjectUuid: project.data.uuid as string,
    storeProjectName: name,
    storeUploadUuid: signed.data.upload_uuid as string,
    storeDeploymentUuid: uuid,
  };
};

/** `data` may or may not be wrapped in `{data: …}` (BigCommerce's envelope). */
const unwrapped = (body: JsonBody): JsonBody =>
  body && typeof body === 'object' && 'data' in body ? body.data : body;

/** Credentials of B made through the credential routes, where those routes exist. */
const credentialsByApi = async (b: { tenant: string; admin: string; store: string }, marker: string) => {
  const clients: TenantB['clients'] = [];
  const storeTokens: TenantB['storeTokens'] = [];
  if (hasRoute('POST /api-clients')) {
    const name = `B api client ${marker}`;
    const created = await json(
      await api('/api-clients', { token: b.admin, body: { name, scope: 'view_connectors' } }),
      201,
    );
    clients.push({ id: created.id, name, secret: created.secret });
  }
  if (hasRoute('POST /stores/{store_hash}/v3/infrastructure/access-tokens')) {
    const name = `b-token-${marker}`;
    const res = await storeCall(b.tenant, b.store, '/access-tokens', {
      body: { name, scopes: ['store_infrastructure_projects_read_only'] },
    });
    // BigCommerce answers its creates 200; Connect-style 201 is as good.
    const created = unwrapped(await json(res, res.status === 201 ? 201 : 200));
    storeTokens.push({ id: created.id, name, token: created.token });
  }
  return { clients, storeTokens };
};

/** The ids in B's listings of its credentials, where those routes exist. */
const listedCredentialIds = async (tenant: string, admin: string, store: string): Promise<string[]> => {
  const ids: string[] = [];
  if (hasRoute('GET /api-clients')) {
    const listed = await json(await api('/api-clients?limit=500', { token: admin }), 200);
    ids.push(...(listed.results as JsonBody[]).map((c) => c.id));
  }
  if (hasRoute('GET /stores/{store_hash}/v3/infrastructure/access-tokens')) {
    const listed = unwrapped(await json(await storeCall(tenant, store, '/access-tokens'), 200));
    ids.push(...(listed as JsonBody[]).map((t) => t.id));
  }
  return ids;
};

/**
 * B's webhook subscriptions, a project's and the store's, each with a delivery (a ping), where
 * the routes exist. They point at a closed loopback port (the test stack allows loopback): the
 * pings fail at once and are retried, which changes no subscription as B reads it.
 */
const webhooksSide = async (
  hash: string,
  admin: string,
  store: string,
  projectKey: string,
  marker: string,
) => {
  if (!hasRoute('POST /{projectKey}/webhooks')) return undefined;
  const body = (description: string) => ({
    url: 'http://127.0.0.1:9/b-hooks',
    events: ['deployment.deployed'],
    description,
  });
  const connect = await json(
    await api(`/${projectKey}/webhooks`, { token: admin, body: body(`B hook ${marker}`) }),
    201,
  );
  const storeSub = unwrapped(
    await json(await storeCall(hash, store, '/webhooks', { body: body(`B store hook ${marker}`) }), 200),
  );
  const connectPing = await json(
    await api(`/${projectKey}/webhooks/${connect.id}/ping`, { token: admin, body: {} }),
    202,
  );
  const storePing = unwrapped(
    await json(
      await storeCall(hash, store, `/webhooks/${storeSub.id}/ping`, { method: 'POST', body: {} }),
      202,
    ),
  );
  return {
    ids: {
      connectId: connect.id,
      storeId: storeSub.id,
      connectDeliveryId: connectPing.id,
      storeDeliveryId: storePing.id,
    },
    data: [`B hook ${marker}`, `B store hook ${marker}`, connect.secret, storeSub.secret],
  };
};

/** Tenant B and all its resources; `canary` is what B gives as secrets. */
export const makeTenantB = async (canary: string): Promise<TenantB> => {
  const tenant = newTenant();
  const marker = randomBytes(6).toString('hex');
  const [admin, store, helperClient, helperToken, ...revocable] = await Promise.all([
    tokenFor(tenant, ['admin']),
    createStoreAccessToken(tenant, ['admin', ...STORE_SCOPES]),
    issuedToken(tenant, ['view_connectors']),
    createStoreAccessToken(tenant, ['store_infrastructure_projects_read_only']),
    issuedToken(tenant, ['admin']),
    issuedToken(tenant, ['admin']),
  ]);
  const [c, s, byApi] = await Promise.all([
    connectSide(tenant, admin, marker, canary),
    bigCommerceSide(tenant, store.token, marker, canary),
    credentialsByApi({ tenant, admin, store: store.token }, marker),
  ]);
  const projects = await json(await api('/projects?limit=500', { token: admin }), 200);
  const credentialIds = await listedCredentialIds(tenant, admin, store.token);
  const hooks = await webhooksSide(tenant, admin, store.token, c.projectKey, marker);
  const storeProject = (projects.results as JsonBody[]).find((p) => p.id === s.storeProjectUuid);
  expect(storeProject, 'the store project is a Connect project of B').toBeDefined();
  return {
    tenant,
    admin,
    store: store.token,
    ...c,
    ...s,
    storeProjectKey: storeProject.key,
    clients: [helperClient, ...byApi.clients],
    storeTokens: [{ ...helperToken, name: 'test store token' }, ...byApi.storeTokens],
    credentialIds,
    revocable: revocable.map(({ id, secret, accessToken }) => ({ id, secret, accessToken })),
    data: [
      `B project ${marker}`,
      `B connector ${marker}`,
      `B company ${marker}`,
      `B greeting ${marker}`,
      `B site greeting ${marker}`,
      canary,
      ...byApi.clients.map((x) => x.name),
      ...byApi.storeTokens.map((x) => x.name),
      ...(hooks?.data ?? []),
    ],
    ...(hooks ? { webhooks: hooks.ids } : {}),
  };
};

/** Tenant A, whose scopes name B's project wherever a route's scope template names `{projectKey}`. */
export const makeTenantA = async (b: TenantB): Promise<TenantA> => {
  const tenant = newTenant();
  const named = [...new Set(ROUTES.flatMap((route) => route.scopes ?? []))].map((scope) =>
    scope.replace('{projectKey}', b.projectKey),
  );
  const scopes = [...new Set(['admin', ...STORE_SCOPES, ...named.filter((s) => !s.includes('{'))])];
  const [connect, store, client] = await Promise.all([
    tokenFor(tenant, scopes),
    createStoreAccessToken(tenant, scopes),
    createClient(tenant, ['admin']),
  ]);
  const projectKey = uniqueKey('tenancy-a');
  await json(await api('/projects', { token: connect, body: { key: projectKey } }), 201);
  const storeProject = await json(
    await storeCall(tenant, store.token, '/projects', { body: { name: `a-site-${projectKey.slice(-12)}` } }),
    200,
  );
  return {
    tenant,
    connect,
    store: store.token,
    projectKey,
    storeProjectUuid: storeProject.data.uuid,
    scopes,
    client: { id: client.client.clientId, secret: client.secret },
  };
};

/** B's identifiers: none may reach A, save as an echo of what A's request itself named. */
export const identifiersOf = (b: TenantB): string[] => [
  b.tenant,
  b.projectKey,
  b.projectId,
  b.uploadId,
  b.draftId,
  b.draftKey,
  b.connectorId,
  b.deploymentId,
  b.deploymentKey,
  b.storeProjectUuid,
  b.storeProjectName,
  b.storeProjectKey,
  b.storeUploadUuid,
  b.storeDeploymentUuid,
  b.store,
  b.admin,
  ...b.clients.flatMap((c) => [c.id, c.secret, ...(c.accessToken ? [c.accessToken] : [])]),
  ...b.storeTokens.flatMap((t) => [t.id, t.token]),
  ...b.credentialIds,
  ...b.revocable.flatMap((c) => [c.id, c.secret, c.accessToken]),
  ...Object.values(b.webhooks ?? {}),
];

/** A JSON answer without the fields that change on every use of a credential (`lastUsedAt`). */
const withoutUseTimes = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text, (key, value) => (/^last_?used/i.test(key) ? undefined : value)));
  } catch {
    return text;
  }
};

/**
 * B's resources as B reads them, to compare before and after A's attempts; and whether each of
 * B's credentials still works (a status only). Logs are not read: they change by themselves
 * (the hosted app's output).
 */
export const snapshotOf = async (b: TenantB): Promise<Record<string, string>> => {
  const connect = { authorization: `Bearer ${b.admin}` };
  const store = { 'x-auth-token': b.store };
  const reads: [string, string, Record<string, string>][] = [
    ['project', `/projects/${b.projectKey}`, connect],
    ['projects', '/projects?limit=500', connect],
    ['upload', `/${b.projectKey}/uploads/${b.uploadId}`, connect],
    ['deployment', `/${b.projectKey}/deployments/${b.deploymentId}`, connect],
    ['deployments', `/${b.projectKey}/deployments`, connect],
    ['store project deployments', `/${b.storeProjectKey}/deployments`, connect],
    ['draft', `/connectors/drafts/${b.draftId}`, connect],
    ['drafts', '/connectors/drafts', connect],
    ['connector', `/connectors/${b.connectorId}`, connect],
    ['store project', `${STORE(b.tenant)}/projects/${b.storeProjectUuid}`, store],
    ['store projects', `${STORE(b.tenant)}/projects`, store],
    ['store deployment', `${STORE(b.tenant)}/deployments/${b.storeDeploymentUuid}`, store],
    ['store deployments', `${STORE(b.tenant)}/deployments?project_uuid=${b.storeProjectUuid}`, store],
  ];
  if (hasRoute('GET /api-clients')) reads.push(['api clients', '/api-clients', connect]);
  if (b.webhooks)
    reads.push(
      ['webhook', `/${b.projectKey}/webhooks/${b.webhooks.connectId}`, connect],
      ['webhooks', `/${b.projectKey}/webhooks`, connect],
      ['store webhook', `${STORE(b.tenant)}/webhooks/${b.webhooks.storeId}`, store],
      ['store webhooks', `${STORE(b.tenant)}/webhooks`, store],
    );
  if (hasRoute('GET /stores/{store_hash}/v3/infrastructure/access-tokens'))
    reads.push(['access tokens', `${STORE(b.tenant)}/access-tokens`, store]);
  const out: Record<string, string> = {};
  for (const [what, path, headers] of reads) {
    const res = await api(path, { headers });
    out[what] = `${res.status} ${withoutUseTimes(await res.text())}`;
  }
  for (const t of b.storeTokens) {
    const res = await storeCall(b.tenant, t.token, `/projects/${b.storeProjectUuid}`);
    out[`store token ${t.id} works`] = String(res.status);
  }
  // Each client of B still gets a token: its secret was not rotated, it was not deleted.
  for (const client of b.clients) {
    const res = await oauthCall('/oauth/token', client, 'grant_type=client_credentials');
    out[`client ${client.id} issues tokens`] = String(res.status);
  }
  return out;
};
