import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { dynamoTenantLimitsRepository } from '../../functions/adapters/dynamodb/tenant-limits.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { connectorFiles, publishConnector, text, zipBytes } from '../fixtures/connectors.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { type ApiResponse, api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * The quotas on the run's shared stack: each test's tenant gets its own small quotas before its
 * first deploy; every other test keeps the defaults.
 */
const limits = dynamoTenantLimitsRepository(() => process.env.SLIPWAY_TABLE_NAME ?? '');

const ASSETS_YAML = `
deployAs:
  - name: assets-app
    applicationType: assets
`;

const ended = async (d: JsonBody) => expect(await operationEnd(d)).toBe('SUCCEEDED');

describe('quotas (Connect)', () => {
  it('refuses a deploy past the concurrent builds or the hosted apps with MaxResourceLimitExceeded, naming the quota', async () => {
    const tenant = newTenant();
    const token = await tokenFor(tenant, ['admin']);
    const newProject = async () => {
      const key = uniqueKey('quota');
      expect((await api('/projects', { token, body: { key } })).status).toBe(201);
      return key;
    };
    const connectorKey = await publishConnector(
      tenant,
      token,
      await newProject(),
      connectorFiles(ASSETS_YAML),
    );
    await limits.set(tenant, { concurrentBuilds: 1, hostedApps: 2 });
    const create = (projectKey: string) =>
      api(`/${projectKey}/deployments`, {
        token,
        body: { connector: { key: connectorKey }, region: 'local' },
      });
    const projects = await Promise.all(Array.from({ length: 5 }, newProject));

    // Five creates at once in five projects: one build may run, whichever gets there first.
    const racing = await Promise.all(projects.map(create));
    const bodies: JsonBody[] = await Promise.all(racing.map((r) => r.json()));

    expect(racing.map((r) => r.status).sort()).toEqual([201, 400, 400, 400, 400]);
    for (const body of bodies.filter((_, i) => racing[i]?.status === 400))
      expect(body).toMatchObject({
        statusCode: 400,
        message: expect.stringContaining('quota of 1 concurrent builds'),
        errors: [
          {
            code: 'MaxResourceLimitExceeded',
            exceededResource: 'deployment',
            quota: 'concurrentBuilds',
            limit: 1,
          },
        ],
      });
    const winner = racing.findIndex((r) => r.status === 201);
    const first = bodies[winner];
    await ended(first);

    // The build is over: a second deployment may start, and then both hosted-app slots are taken.
    const free = projects.filter((_, i) => i !== winner);
    const second = await create(free[0] as string);
    expect(second.status).toBe(201);
    const secondBody = await second.json();
    await ended(secondBody);
    const third = await create(free[1] as string);
    expect(third.status).toBe(400);
    expect(await third.json()).toMatchObject({
      errors: [{ code: 'MaxResourceLimitExceeded', quota: 'hostedApps', limit: 2 }],
      message: expect.stringContaining('quota of 2 hosted apps'),
    });

    // A redeploy of a deployment that hosts needs no other slot.
    const firstPath = `/${projects[winner]}/deployments/${first.id}`;
    const { version } = await (await api(firstPath, { token })).json();
    const redeploy = await api(firstPath, { token, body: { version, actions: [{ action: 'redeploy' }] } });
    expect(redeploy.status).toBe(201);
    await ended(await redeploy.json());

    // Deleting a deployment frees its slot once it is undeployed.
    const deleted = await api(`/${free[0]}/deployments/${secondBody.id}`, { token, method: 'DELETE' });
    expect(deleted.status).toBe(202);
    await ended(await deleted.json());
    const fourth = await create(free[1] as string);
    expect(fourth.status).toBe(201);
    await ended(await fourth.json());
  }, 120_000);
});

describe('quotas (BigCommerce)', () => {
  const bundle = zipBytes({ 'output/index.html': text('<!doctype html><h1>quota</h1>') });

  it("refuses a project's first deployment past the hosted apps in BigCommerce's envelope; its address's deployments share one", async () => {
    const s = await newStore([
      'store_infrastructure_projects_manage',
      'store_infrastructure_deployments_manage',
    ]);
    await limits.set(s.hash, { hostedApps: 1 });
    const newProject = async () => {
      const res = await s.call('/projects', { body: { name: uniqueKey('quota-site') } });
      expect(res.status).toBe(200);
      return (await res.json()).data.uuid as string;
    };
    const deploy = async (project_uuid: string) =>
      s.call('/deployments', { body: { upload_uuid: await uploadBundle(s, bundle), project_uuid } });
    const settled = async (res: ApiResponse) => {
      expect(res.status).toBe(200);
      const d = await deploymentDeps.deployments.getById((await res.json()).data.deployment_uuid);
      await ended(d);
      return d;
    };
    const [a, b] = [await newProject(), await newProject()];

    await settled(await deploy(a));
    const refused = await deploy(b);
    // Another deployment to the same project's address takes no other slot.
    await settled(await deploy(a));

    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({
      status: 400,
      title: expect.stringContaining("The tenant's quota of 1 hosted apps is reached"),
      code: 'MaxResourceLimitExceeded',
      errors: {},
    });

    // Deleting the project undeploys what it serves; once that is done, the slot is free.
    const served = await deploymentDeps.deployments.getSite(a);
    expect((await s.call(`/projects/${a}`, { method: 'DELETE' })).status).toBe(204);
    const undeploying = await deploymentDeps.deployments.getById(served?.deploymentId ?? '');
    if (undeploying) await ended(undeploying);
    await settled(await deploy(b));
  }, 120_000);
});

describe('npm run tenant:limits', () => {
  it("sets a tenant's own values, keeps the others, and shows them with the defaults", async () => {
    const tenant = newTenant();
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'scripts', 'tenant-limits.ts'), ...args],
        { env: process.env },
      );

    await run('--tenant', tenant, '--hosted-apps', '7');
    const { stdout } = await run('--tenant', tenant, '--concurrent-builds', '3');

    expect(await limits.get(tenant)).toEqual({ hostedApps: 7, concurrentBuilds: 3 });
    expect(stdout).toMatch(/hosted-apps\s+7 {2}\(its own\)/);
    expect(stdout).toMatch(/credential-requests\s+12000 {2}\(default\)/);
    await expect(run('--tenant', tenant, '--hosted-apps', '0')).rejects.toMatchObject({
      stderr: expect.stringContaining('--hosted-apps'),
    });
    await run('--tenant', tenant, '--reset');
    expect(await limits.get(tenant)).toEqual({});
  }, 60_000);
});
