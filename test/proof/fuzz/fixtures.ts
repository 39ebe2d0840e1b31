import { expect } from 'vitest';
import { settle, storeUpload, text, zipBytes } from '../../fixtures/connectors.ts';
import { operationEnd } from '../../fixtures/workflows.ts';
import { api, createStoreAccessToken, gatewayUrl, newTenant, tokenFor, uniqueKey } from '../../helpers.ts';
import type { FuzzContext } from './requests.ts';

/**
 * The resources the fuzz aims at, made once: in tenant A a project, a published connector
 * (its draft), a Deployed deployment holding a secured value, and a BigCommerce project whose
 * site deployment holds a secret variable; scratch ones beside them for writes that may
 * succeed. Secrets are the run's canary, which no answer may ever carry.
 */

const STORE_SCOPES = [
  'store_infrastructure_projects_manage',
  'store_infrastructure_deployments_manage',
  'store_infrastructure_logs_read_only',
];

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

/** Answers every request the same, and never prints what it was given; on loopback, as hosting asks. */
const SILENT_SERVER = `require('node:http').createServer((q, s) => { q.resume(); s.end('ok'); }).listen(process.env.PORT, process.env.HOST || '127.0.0.1');`;

const connectorZip = () =>
  zipBytes({ 'connect.yaml': text(CONNECT_YAML), 'service/server.js': text(SILENT_SERVER) });

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token with its claims rewritten (tenant-wide admin) and its old signature kept. */
const tampered = (token: string, tenant: string) => {
  const [header, payload, signature] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  return `${header}.${base64url({ ...claims, tenant, scope: 'admin manage_connectors' })}.${signature}`;
};

const unsigned = (token: string) => {
  const payload = token.split('.')[1] ?? '';
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`;
};

const json = async (res: Response | Awaited<ReturnType<typeof api>>, status: number) => {
  const body = await res.text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body);
};

const storeCall = (hash: string, token: string, path: string, body?: unknown) =>
  fetch(`${gatewayUrl()}/stores/${hash}/v3/infrastructure${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'x-auth-token': token, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const connectSide = async (admin: string, tenant: string, canary: string) => {
  const projectKey = uniqueKey('fuzz');
  const scratchProjectKey = uniqueKey('fuzz-scratch');
  await json(await api('/projects', { token: admin, body: { key: projectKey, name: 'Fuzz target' } }), 201);
  await json(await api('/projects', { token: admin, body: { key: scratchProjectKey } }), 201);
  const [deployUpload, draftUpload, scratchUpload] = await Promise.all([
    storeUpload(admin, projectKey, connectorZip()),
    storeUpload(admin, projectKey, connectorZip()),
    storeUpload(admin, scratchProjectKey, connectorZip()),
  ]);

  const draftKey = uniqueKey('fuzz-conn');
  const draft = await json(
    await api('/connectors/drafts', {
      token: admin,
      body: {
        key: draftKey,
        name: 'Fuzz connector',
        creator: { email: 'fuzz@example.com' },
        artifact: { projectKey, uploadId: draftUpload },
      },
    }),
    201,
  );
  const scratchDraftKey = uniqueKey('fuzz-scratch');
  const scratchDraft = await json(
    await api('/connectors/drafts', {
      token: admin,
      body: {
        key: scratchDraftKey,
        name: 'Scratch',
        creator: { email: 'fuzz@example.com' },
        artifact: { projectKey: scratchProjectKey, uploadId: scratchUpload },
      },
    }),
    201,
  );
  await json(
    await api(`/connectors/drafts/${draft.id}`, {
      token: admin,
      body: { version: draft.version, actions: [{ action: 'publish', certification: false }] },
    }),
    200,
  );

  const deploymentKey = uniqueKey('fuzz-dep');
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
            standardConfiguration: [{ key: 'GREETING', value: 'hello' }],
            securedConfiguration: [{ key: 'SECRET_TOKEN', value: canary }],
          },
        ],
      },
    }),
    201,
  );
  const [ended] = await Promise.all([operationEnd(created), settle(tenant, draft.id)]);
  expect(ended).toBe('SUCCEEDED');
  const deployed = await json(await api(`/${projectKey}/deployments/${created.id}`, { token: admin }), 200);
  expect(deployed.status).toBe('Deployed');
  const connector = await json(await api(`/connectors/key=${draftKey}`, { token: admin }), 200);
  return {
    projectKey,
    scratchProjectKey,
    uploadId: deployUpload,
    draftId: draft.id as string,
    draftKey,
    scratchDraftId: scratchDraft.id as string,
    scratchDraftKey,
    connectorId: connector.id as string,
    deploymentId: created.id as string,
    deploymentKey,
  };
};

const bigCommerceSide = async (hash: string, token: string, canary: string) => {
  const [project, scratch] = await Promise.all([
    json(await storeCall(hash, token, '/projects', { name: `fuzz-${Date.now().toString(36)}` }), 200),
    json(await storeCall(hash, token, '/projects', { name: `fuzz-scratch-${Date.now().toString(36)}` }), 200),
  ]);
  const signed = await json(await storeCall(hash, token, '/deployments/uploads', {}), 200);
  const put = await fetch(signed.data.upload_url, {
    method: 'PUT',
    headers: { 'content-type': 'application/zip' },
    body: zipBytes({ 'output/server.js': text(SILENT_SERVER) }),
  });
  expect(put.status).toBe(200);
  const created = await json(
    await storeCall(hash, token, '/deployments', {
      upload_uuid: signed.data.upload_uuid,
      project_uuid: project.data.uuid,
      environment_variables: [
        { type: 'plain_text', key: 'GREETING', value: 'hello' },
        { type: 'secret', key: 'API_SECRET', value: canary },
      ],
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
    scratchStoreProjectUuid: scratch.data.uuid as string,
    storeDeploymentUuid: uuid,
  };
};

/** Creates everything; answers the context the generators read. */
export const makeFuzzContext = async (canary: string): Promise<FuzzContext> => {
  const tenant = newTenant();
  const otherTenant = newTenant();
  const [admin, otherAdmin, expired, store, otherStore] = await Promise.all([
    tokenFor(tenant, ['admin']),
    tokenFor(otherTenant, ['admin']),
    tokenFor(tenant, ['admin'], -120),
    createStoreAccessToken(tenant, STORE_SCOPES),
    createStoreAccessToken(otherTenant, STORE_SCOPES),
  ]);
  const [c, b] = await Promise.all([
    connectSide(admin, tenant, canary),
    bigCommerceSide(tenant, store.token, canary),
  ]);
  return {
    tenant,
    otherTenant,
    tokens: {
      admin,
      store: store.token,
      otherAdmin,
      otherStore: otherStore.token,
      expired,
      tampered: tampered(otherAdmin, tenant),
      unsigned: unsigned(admin),
    },
    fixed: {
      projectKey: c.projectKey,
      uploadId: c.uploadId,
      draftId: c.draftId,
      draftKey: c.draftKey,
      connectorId: c.connectorId,
      connectorKey: c.draftKey,
      deploymentId: c.deploymentId,
      deploymentKey: c.deploymentKey,
      storeProjectUuid: b.storeProjectUuid,
      storeDeploymentUuid: b.storeDeploymentUuid,
    },
    scratch: {
      projectKey: c.scratchProjectKey,
      draftId: c.scratchDraftId,
      draftKey: c.scratchDraftKey,
      storeProjectUuid: b.scratchStoreProjectUuid,
    },
  };
};

/**
 * What is compared before and after the run, read as a client reads it. Logs are not: a
 * request to a site is a log entry of its deployment, and the fuzz sends such requests.
 */
export const snapshot = async (ctx: FuzzContext): Promise<Record<string, string>> => {
  const { fixed, tenant, tokens } = ctx;
  const store = `/stores/${tenant}/v3/infrastructure`;
  const reads: [string, string, Record<string, string>][] = [
    ['project', `/projects/${fixed.projectKey}`, { authorization: `Bearer ${tokens.admin}` }],
    ['upload', `/${fixed.projectKey}/uploads/${fixed.uploadId}`, { authorization: `Bearer ${tokens.admin}` }],
    [
      'deployment',
      `/${fixed.projectKey}/deployments/${fixed.deploymentId}`,
      { authorization: `Bearer ${tokens.admin}` },
    ],
    ['deployments', `/${fixed.projectKey}/deployments`, { authorization: `Bearer ${tokens.admin}` }],
    ['draft', `/connectors/drafts/${fixed.draftId}`, { authorization: `Bearer ${tokens.admin}` }],
    ['connector', `/connectors/${fixed.connectorId}`, { authorization: `Bearer ${tokens.admin}` }],
    ['store project', `${store}/projects/${fixed.storeProjectUuid}`, { 'x-auth-token': tokens.store }],
    [
      'store deployment',
      `${store}/deployments/${fixed.storeDeploymentUuid}`,
      { 'x-auth-token': tokens.store },
    ],
    [
      'store deployments',
      `${store}/deployments?project_uuid=${fixed.storeProjectUuid}`,
      { 'x-auth-token': tokens.store },
    ],
  ];
  const out: Record<string, string> = {};
  for (const [what, path, headers] of reads) {
    const res = await fetch(`${gatewayUrl()}${path}`, { headers });
    out[what] = `${res.status} ${await res.text()}`;
  }
  return out;
};

/** Each field that differs between two snapshots, by its JSON path (a whole answer when not JSON). */
export const changes = (before: Record<string, string>, after: Record<string, string>): string[] => {
  const out: string[] = [];
  const walk = (a: unknown, b: unknown, path: string) => {
    if (JSON.stringify(a) === JSON.stringify(b)) return;
    if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) {
      out.push(`${path}: ${JSON.stringify(a)?.slice(0, 300)} -> ${JSON.stringify(b)?.slice(0, 300)}`);
      return;
    }
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      walk((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
  };
  const parse = (text: string | undefined) => {
    try {
      return JSON.parse(text?.slice(4) ?? 'null');
    } catch {
      return text;
    }
  };
  for (const what of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[what]?.slice(0, 3) !== after[what]?.slice(0, 3))
      out.push(`${what}: status ${before[what]?.slice(0, 3)} -> ${after[what]?.slice(0, 3)}`);
    walk(parse(before[what]), parse(after[what]), what);
  }
  return out;
};
