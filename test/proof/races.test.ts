/**
 * Races: many clients at once against one project's lock and against one deployment's
 * version, in both dialects. Each race has exactly one winner; every other client gets the
 * documented 409, which names what won; no request gets a 5xx. The deploy state machine is
 * held during a race (so the winner stays in progress for all of it) and released right
 * after; the winner's workflow is then awaited through the endpoint's wait header.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { connectorFiles, publishConnector, text, zipBytes } from '../fixtures/connectors.ts';
import { tally } from '../fixtures/proof.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';
import { holdExecutions, operationEnd } from '../fixtures/workflows.ts';
import { type ApiResponse, api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
let token: string;
let connectorKey: string;

/** One assets application: nothing to build or start, so each race's winner deploys in a moment. */
const ASSETS_YAML = `
deployAs:
  - name: assets-app
    applicationType: assets
`;

const BIGCOMMERCE_IN_PROGRESS =
  'You already have a deployment in progress for this project. Please wait for it to complete before trying again.';

interface Figures {
  rounds: number;
  requests: number;
  accepted: number;
  rejected: number;
  serverErrors: number;
}
const figures: Record<string, Figures> = {};

/** Adds a round's responses to the race's figures (before any assertion, so a failure still prints them). */
const count = (race: string, statuses: number[], accepted: number) => {
  const f = figures[race] ?? { rounds: 0, requests: 0, accepted: 0, rejected: 0, serverErrors: 0 };
  figures[race] = f;
  f.rounds++;
  f.requests += statuses.length;
  f.accepted += statuses.filter((s) => s === accepted).length;
  f.rejected += statuses.filter((s) => s === 409).length;
  f.serverErrors += statuses.filter((s) => s >= 500).length;
};

afterAll(() => {
  for (const [race, f] of Object.entries(figures))
    console.log(
      `race ${race}: rounds=${f.rounds} requests=${f.requests} accepted=${f.accepted} rejected=${f.rejected} 5xx=${f.serverErrors}`,
    );
});

/** Fires `n` requests at once, the deploy workflow held until every one has answered. */
const race = async (n: number, request: () => Promise<ApiResponse>) => {
  await holdExecutions('slipway-deploy', true);
  try {
    return await tally(await Promise.all(Array.from({ length: n }, request)));
  } finally {
    await holdExecutions('slipway-deploy', false);
  }
};

const newProject = async () => {
  const key = uniqueKey('race');
  expect((await api('/projects', { token, body: { key } })).status).toBe(201);
  return key;
};

const create = (projectKey: string) =>
  api(`/${projectKey}/deployments`, { token, body: { connector: { key: connectorKey }, region: 'local' } });

const read = async (projectKey: string, id: string) =>
  (await api(`/${projectKey}/deployments/${id}`, { token })).json();

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  connectorKey = await publishConnector(tenant, token, await newProject(), connectorFiles(ASSETS_YAML));
}, 60_000);

describe('one deployment in progress per project (Connect)', () => {
  const ROUNDS = 5;
  const CLIENTS = 200;

  it(`lets exactly one of ${CLIENTS} concurrent creates in and names it to the others, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const projectKey = await newProject();

      const { statuses, bodies, with: withStatus } = await race(CLIENTS, () => create(projectKey));
      count('connect-create', statuses, 201);
      const [winner] = withStatus(201);

      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect([...statuses].sort()).toEqual([201, ...Array(CLIENTS - 1).fill(409)]);
      for (const body of withStatus(409))
        expect(body.errors[0]).toMatchObject({
          code: 'DeploymentInProgress',
          activeDeploymentId: winner.id,
          activeStatus: 'Queued',
        });
      expect(bodies).toHaveLength(CLIENTS);
      expect((await (await api(`/${projectKey}/deployments`, { token })).json()).total).toBe(1);
      // The winner, released, goes through.
      expect(await operationEnd(winner)).toBe('SUCCEEDED');
      expect((await read(projectKey, winner.id)).status).toBe('Deployed');
    }
  }, 240_000);
});

describe('version-checked updates of one deployment (Connect)', () => {
  const ROUNDS = 3;
  const CLIENTS = 100;

  it(`lets exactly one of ${CLIENTS} concurrent redeploys at the same version in, ${ROUNDS} rounds`, async () => {
    const projectKey = await newProject();
    const created = await (await create(projectKey)).json();
    expect(await operationEnd(created)).toBe('SUCCEEDED');
    let current: JsonBody = await read(projectKey, created.id);
    expect(current.status).toBe('Deployed');

    for (let round = 0; round < ROUNDS; round++) {
      const { version } = current;
      const redeploy = () =>
        api(`/${projectKey}/deployments/${current.id}`, {
          token,
          body: { version, actions: [{ action: 'redeploy', skipScripts: true }] },
        });

      const { statuses, with: withStatus } = await race(CLIENTS, redeploy);
      count('connect-redeploy', statuses, 201);
      const [winner] = withStatus(201);

      expect(statuses.filter((s) => s >= 500)).toEqual([]);
      expect([...statuses].sort()).toEqual([201, ...Array(CLIENTS - 1).fill(409)]);
      expect(winner).toMatchObject({ status: 'Queued', version: version + 1 });
      for (const body of withStatus(409)) {
        expect(body.errors[0]).toMatchObject({ code: 'ConcurrentModification', expectedVersion: version });
        expect(body.errors[0].currentVersion).toBeGreaterThan(version);
      }
      expect(await operationEnd(winner)).toBe('SUCCEEDED');
      current = await read(projectKey, current.id);
      expect(current).toMatchObject({ status: 'Deployed', version: winner.version + 2 });
    }
  }, 180_000);
});

describe('one deployment in progress per project (BigCommerce)', () => {
  const ROUNDS = 3;
  const CLIENTS = 100;
  const bundle = zipBytes({ 'output/index.html': text('<!doctype html><h1>race</h1>') });

  it(`answers one of ${CLIENTS} concurrent POST /deployments with 200 and the others with 409 and its title, ${ROUNDS} rounds`, async () => {
    const s = await newStore([
      'store_infrastructure_projects_manage',
      'store_infrastructure_deployments_manage',
    ]);
    const projectRes = await s.call('/projects', { body: { name: uniqueKey('race-site') } });
    expect(projectRes.status).toBe(200);
    const project_uuid = (await projectRes.json()).data.uuid;

    for (let round = 0; round < ROUNDS; round++) {
      // Each client its own upload, as each Catalyst CLI run makes one.
      const uploads = await Promise.all(Array.from({ length: CLIENTS }, () => uploadBundle(s, bundle)));
      let next = 0;

      const { statuses, with: withStatus } = await race(CLIENTS, () =>
        s.call('/deployments', { body: { upload_uuid: uploads[next++], project_uuid } }),
      );
      count('bigcommerce-create', statuses, 200);
      const [winner] = withStatus(200);

      expect(statuses.filter((st) => st >= 500)).toEqual([]);
      expect([...statuses].sort()).toEqual([200, ...Array(CLIENTS - 1).fill(409)]);
      // BigCommerce's envelope names no winner: the title is what its clients read.
      for (const body of withStatus(409))
        expect(body).toMatchObject({
          status: 409,
          title: BIGCOMMERCE_IN_PROGRESS,
          code: 'StoreDeploymentInProgress',
          errors: {},
        });
      const deployment = await deploymentDeps.deployments.getById(winner.data.deployment_uuid);
      if (!deployment) throw new Error('the winner was not stored');
      expect(await operationEnd(deployment)).toBe('SUCCEEDED');
      const after = await (await s.call(`/deployments/${deployment.id}`)).json();
      expect(after.data.deployment_status).toBe('completed');
    }
  }, 180_000);
});
