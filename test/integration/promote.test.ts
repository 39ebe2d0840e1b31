/**
 * Promote (Slipway's extension of the BigCommerce dialect) on the embedded stack: two real
 * deployments of a project, the second replacing the first at the project's address; promoting
 * the first serves it there again from its kept build, with the address answering throughout,
 * and the one it replaces is marked superseded in both dialects.
 */
import { describe, expect, it, vi } from 'vitest';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';
import { injectFault } from '../fixtures/workflows.ts';
import { api, type JsonBody, tokenFor } from '../helpers.ts';

const SCOPES = ['store_infrastructure_projects_manage', 'store_infrastructure_deployments_manage'];

const bundle = (version: string) =>
  zipBytes({
    'output/server.js': text(`
      require('node:http')
        .createServer((req, res) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ version: ${JSON.stringify(version)} }));
        })
        .listen(process.env.PORT, '127.0.0.1');
    `),
  });

type Store = Awaited<ReturnType<typeof newStore>>;

const deploy = async (s: Store, project: string, version: string): Promise<string> => {
  const upload_uuid = await uploadBundle(s, bundle(version));
  const res = await s.call('/deployments', { body: { upload_uuid, project_uuid: project } });
  expect(res.status).toBe(200);
  return (await res.json()).data.deployment_uuid;
};

const view = async (s: Store, uuid: string): Promise<JsonBody> =>
  (await (await s.call(`/deployments/${uuid}`)).json()).data;

/** Waits until the deployment's latest operation has ended, and answers its view. */
const settled = (s: Store, uuid: string) =>
  vi.waitFor(
    async () => {
      const v = await view(s, uuid);
      if (v.deployment_status === 'queued' || v.deployment_status === 'in_progress')
        throw new Error('in progress');
      return v;
    },
    { timeout: 60_000, interval: 200 },
  );

describe('promote', () => {
  it('serves an earlier deployment again without a rebuild, marking the replaced one superseded', async () => {
    const s = await newStore(SCOPES);
    const project = (await (await s.call('/projects', { body: { name: `promote-${Date.now()}` } })).json())
      .data.uuid;
    const first = await deploy(s, project, 'v1');
    const address = (await settled(s, first)).deployment_url;
    const second = await deploy(s, project, 'v2');
    expect(await settled(s, second)).toMatchObject({
      deployment_status: 'completed',
      deployment_url: address,
    });
    expect(await (await fetch(address)).json()).toEqual({ version: 'v2' });
    expect(await view(s, first)).toMatchObject({
      deployment_status: 'superseded',
      superseded_by: second,
      deployment_url: null,
    });

    const failures: string[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const res = await fetch(address).catch((e: Error) => ({ status: e.message }));
        if (res.status !== 200) failures.push(String(res.status));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const promoted = await s.call(`/deployments/${first}/promote`, { method: 'POST' });
    expect(promoted.status).toBe(200);
    expect((await promoted.json()).data).toMatchObject({
      deployment_uuid: first,
      deployment_status: 'queued',
    });
    expect(await settled(s, first)).toMatchObject({
      deployment_status: 'completed',
      deployment_url: address,
    });
    polling = false;
    await poller;

    expect(failures).toEqual([]);
    expect(await (await fetch(address)).json()).toEqual({ version: 'v1' });
    expect(await view(s, second)).toMatchObject({ deployment_status: 'superseded', superseded_by: first });

    // The Connect dialect says the same: supersededBy, and no build ran for the promote.
    const connect = await tokenFor(s.hash, ['admin']);
    // The store's one project, as the Connect dialect lists it.
    const key = (await (await api('/projects', { token: connect })).json()).results[0].key;
    const replaced = await (await api(`/${key}/deployments/${second}`, { token: connect })).json();
    expect(replaced).toMatchObject({ status: 'Deployed', supersededBy: first });
    const served = await (await api(`/${key}/deployments/${first}`, { token: connect })).json();
    expect(served).not.toHaveProperty('supersededBy');
    const logs = await (await api(`/${key}/deployments/${first}/logs?limit=500`, { token: connect })).json();
    const building = logs.data.filter((l: JsonBody) => / building '/.test(String(l.details.message)));
    expect(building).toHaveLength(1);

    // Promoting what is served already changes nothing.
    const again = await s.call(`/deployments/${first}/promote`, { method: 'POST' });
    expect(again.status).toBe(200);
    expect((await again.json()).data.deployment_status).toBe('completed');
  });

  it('keeps the current deployment serving when a promote fails', async () => {
    const s = await newStore(SCOPES);
    const project = (
      await (await s.call('/projects', { body: { name: `promote-fail-${Date.now()}` } })).json()
    ).data.uuid;
    const first = await deploy(s, project, 'v1');
    const address = (await settled(s, first)).deployment_url;
    const second = await deploy(s, project, 'v2');
    await settled(s, second);
    await injectFault('slipway-deploy', 'Hosted', s.hash, { error: 'Slipway.TestFault', cause: 'injected' });
    try {
      const promoted = await s.call(`/deployments/${first}/promote`, { method: 'POST' });
      expect(promoted.status).toBe(200);
      expect((await settled(s, first)).deployment_status).toBe('failed');
    } finally {
      await injectFault('slipway-deploy', 'Hosted', s.hash, 'clear');
    }
    expect(await (await fetch(address)).json()).toEqual({ version: 'v2' });
    expect(await view(s, second)).toMatchObject({ deployment_status: 'completed', deployment_url: address });
  });

  it('needs the manage scope: a preview token is refused', async () => {
    const s = await newStore(['store_infrastructure_deployments_create_preview']);
    const res = await s.call('/deployments/00000000-0000-4000-8000-000000000000/promote', { method: 'POST' });
    expect(res.status).toBe(403);
  });

  it('answers 404 for an unknown deployment and 422 for one that is not completed', async () => {
    const s = await newStore(SCOPES);
    const unknown = await s.call('/deployments/00000000-0000-4000-8000-000000000000/promote', {
      method: 'POST',
    });
    expect(unknown.status).toBe(404);
    const project = (await (await s.call('/projects', { body: { name: `failing-${Date.now()}` } })).json())
      .data.uuid;
    const upload_uuid = await uploadBundle(s, zipBytes({ 'output/server.js': text('process.exit(3)') }));
    const failing = (
      await (await s.call('/deployments', { body: { upload_uuid, project_uuid: project } })).json()
    ).data.deployment_uuid;
    expect((await settled(s, failing)).deployment_status).toBe('failed');
    const refused = await s.call(`/deployments/${failing}/promote`, { method: 'POST' });
    expect(refused.status).toBe(422);
    expect(JSON.stringify(await refused.json())).toContain('only a completed deployment can be promoted');
  });
});
