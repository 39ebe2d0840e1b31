import { dirname } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { storeUpload, text, zipBytes } from '../fixtures/connectors.ts';
import { newStore } from '../fixtures/stores.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * Every failure path there is a fixture for, in both dialects: what a client reads (the
 * deployment, its report, the BigCommerce view and events stream) names the cause without
 * host paths, stack frames, loopback addresses of internal services or AWS resource names.
 * The detail is in the deployment's logs, which are for the operator of the app.
 */

const workspaces = String(inject('stackEnv').SLIPWAY_WORKSPACE_DIR);
const FORBIDDEN = [
  /\n\s+at\s/,
  /node:internal/,
  /file:\/\//,
  /arn:aws/,
  /\/tmp\//,
  /\/var\/tmp/,
  /\.slipway/,
  /requireStack/,
];

/** Every body a client read in this file, with what it was. */
const seen: { what: string; body: string }[] = [];
const remember = (what: string, body: string) => {
  seen.push({ what, body });
  return body;
};

const tenant = newTenant();
let token: string;
let projectKey: string;

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  projectKey = uniqueKey('internals');
  expect((await api('/projects', { token, body: { key: projectKey, strictScripts: true } })).status).toBe(
    201,
  );
});

const SERVICE_YAML = (scripts = '') => `
deployAs:
  - name: service
    applicationType: service
    endpoint: /service
${scripts}`;

const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(process.env.PORT);`;

/** Deploys `files` from an upload (Connect) and answers the deployment once its workflow ended. */
const deployConnect = async (files: Record<string, string>): Promise<JsonBody> => {
  const zipped = zipBytes(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, text(v)])));
  const uploadId = await storeUpload(token, projectKey, zipped);
  const res = await api(`/${projectKey}/deployments`, {
    token,
    body: { key: uniqueKey('d'), artifact: { uploadId }, region: 'local' },
  });
  expect(res.status).toBe(201);
  const created = await res.json();
  await operationEnd(created);
  const read = await api(`/${projectKey}/deployments/${created.id}`, { token });
  const body = remember('Connect GET deployment', await read.text());
  return JSON.parse(body);
};

const failureOf = (d: JsonBody) => ({
  status: d.status,
  error: d.details.build.report.entries.findLast((e: JsonBody) => e.type === 'Error'),
});

describe('client-facing failures in the Connect dialect', () => {
  it('a build that fails, printing where it ran', async () => {
    const d = await deployConnect({
      'connect.yaml': SERVICE_YAML(),
      'service/package.json': JSON.stringify({
        scripts: { build: `node -e "throw new Error('cannot build in ' + process.cwd())"` },
      }),
      'service/server.js': SERVER,
    });
    expect(failureOf(d)).toMatchObject({
      status: 'Failed',
      error: { title: expect.stringContaining('Build') },
    });
  });

  it('an app that crashes at start with a stack trace naming its files', async () => {
    const d = await deployConnect({
      'connect.yaml': SERVICE_YAML(),
      'service/server.js': `throw new Error('crashed in ' + __filename);`,
    });
    const { error } = failureOf(d);
    expect(d.status).toBe('Failed');
    expect(error.message).toContain('Error: crashed in <path>/server.js');
  });

  it('an app with no entry point', async () => {
    const d = await deployConnect({ 'connect.yaml': SERVICE_YAML(), 'service/README.md': 'nothing to run' });
    expect(failureOf(d).error.message).toContain('no entry point');
  });

  it('a postDeploy script that fails (strict scripts), printing its folder', async () => {
    const d = await deployConnect({
      'connect.yaml': SERVICE_YAML(
        `    scripts:\n      postDeploy: node -e "console.error(process.cwd()); process.exit(2)"`,
      ),
      'service/server.js': SERVER,
    });
    expect(d.status).toBe('Failed');
    expect(failureOf(d).error).toMatchObject({
      title: expect.stringContaining('ApplicationScriptFailed'),
      message: expect.stringContaining("'postDeploy' script"),
    });
  });

  it('an invalid connect.yaml, a zip-slip entry and bytes that are not a zip', async () => {
    const invalid = await deployConnect({ 'connect.yaml': 'deployAs: [{ name: x, applicationType: nope }]' });
    const slip = await deployConnect({ 'connect.yaml': SERVICE_YAML(), '../escape.js': SERVER });
    const uploadId = await storeUpload(token, projectKey, Buffer.from('not a zip'));
    const res = await api(`/${projectKey}/deployments`, {
      token,
      body: { artifact: { uploadId }, region: 'local' },
    });
    const created = await res.json();
    await operationEnd(created);
    const notZip = JSON.parse(
      remember(
        'Connect GET deployment',
        await (await api(`/${projectKey}/deployments/${created.id}`, { token })).text(),
      ),
    );
    for (const d of [invalid, slip, notZip]) expect(d.status).toBe('Failed');
  });
});

describe('client-facing failures in the BigCommerce dialect', () => {
  it('a crashing bundle and a missing upload, in the events stream and the GET', async () => {
    const s = await newStore([
      'store_infrastructure_deployments_manage',
      'store_infrastructure_projects_manage',
    ]);
    const project = (await (await s.call('/projects', { body: { name: uniqueKey('bc') } })).json()).data.uuid;
    const outcomes: JsonBody[] = [];
    for (const bytes of [zipBytes({ 'output/server.js': text(`require('./nowhere');`) }), undefined]) {
      const upload = (await (await s.call('/deployments/uploads', { body: {} })).json()).data;
      if (bytes)
        await fetch(upload.upload_url, {
          method: 'PUT',
          headers: { 'content-type': 'application/zip' },
          body: bytes,
        });
      const id = (
        await (
          await s.call('/deployments', { body: { upload_uuid: upload.upload_uuid, project_uuid: project } })
        ).json()
      ).data.deployment_uuid;
      // The stream ends with the outcome or its (short, in tests) window; read until failed.
      for (let i = 0; i < 30; i++) {
        const raw = remember('BigCommerce events', await (await s.call(`/deployments/${id}/events`)).text());
        if (raw.includes('"failed"')) break;
      }
      outcomes.push(
        (
          JSON.parse(
            remember('BigCommerce GET', await (await s.call(`/deployments/${id}`)).text()),
          ) as JsonBody
        ).data,
      );
    }
    expect(outcomes.map((o) => o.error?.code)).toEqual([50, 20]);
  });
});

describe('what a client read', () => {
  it('holds no host path, stack frame, internal address or resource name', () => {
    expect(seen.length).toBeGreaterThan(8);
    for (const { what, body } of seen) {
      for (const pattern of FORBIDDEN) expect(body, `${what}: ${body}`).not.toMatch(pattern);
      expect(body, what).not.toContain(workspaces);
      expect(body, what).not.toContain(dirname(workspaces));
    }
  });
});
