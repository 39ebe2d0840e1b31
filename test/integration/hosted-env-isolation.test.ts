/**
 * Locally, a hosted application's environment holds its own deployment's configuration and no
 * other's: three tiny apps are really deployed on the run's embedded stack (BigCommerce dialect,
 * real child processes), two for one tenant (two projects) and one for another, each with plain
 * and secret values of its own, and each reports its whole environment. (On AWS, where Lambda
 * keeps each function's environment, test/infra/hosted-role-isolation.test.ts shows that a
 * deployment's role cannot reach another's secrets either.)
 */
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { text, zipBytes } from '../fixtures/connectors.ts';
import { newStore, uploadBundle } from '../fixtures/stores.ts';

const SCOPES = ['store_infrastructure_projects_manage', 'store_infrastructure_deployments_manage'];

/** An app that answers every request with its whole environment. */
const ENV_REPORTER = zipBytes({
  'output/server.js': text(`
    require('node:http')
      .createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify(process.env));
      })
      .listen(process.env.PORT);
  `),
});

type Store = Awaited<ReturnType<typeof newStore>>;

interface Deployed {
  name: string;
  /** What it was given: key → value, each key and value its own. */
  configuration: Record<string, string>;
  environment: Record<string, string>;
}

/** Deploys the reporter with `configuration` (the `SECRET_` keys as secrets) and reads its environment. */
const deployReporter = async (store: Store, name: string): Promise<Deployed> => {
  const unique = randomBytes(6).toString('hex');
  const configuration = {
    [`PLAIN_${name}_${unique}`.toUpperCase()]: `plain-value-of-${name}-${unique}`,
    [`SECRET_${name}_${unique}`.toUpperCase()]: `secret-value-of-${name}-${unique}`,
    // One key every deployment has, each with its own value.
    SHARED_KEY: `shared-value-of-${name}-${unique}`,
  };
  const project = await store.call('/projects', { method: 'POST', body: { name: `env-${name}-${unique}` } });
  expect(project.status).toBe(200);
  const upload_uuid = await uploadBundle(store, ENV_REPORTER);
  const created = await store.call('/deployments', {
    method: 'POST',
    body: {
      upload_uuid,
      project_uuid: (await project.json()).data.uuid,
      environment_variables: Object.entries(configuration).map(([key, value]) => ({
        type: key.startsWith('SECRET_') ? 'secret' : 'plain_text',
        key,
        value,
      })),
    },
  });
  expect(created.status).toBe(200);
  const { deployment_uuid } = (await created.json()).data;
  for (let i = 0; i < 300; i++) {
    const { data } = await (await store.call(`/deployments/${deployment_uuid}`)).json();
    if (data.deployment_status === 'failed') throw new Error(`the ${name} deployment failed`);
    if (data.deployment_status === 'completed') {
      const environment = (await (await fetch(data.deployment_url)).json()) as Record<string, string>;
      return { name, configuration, environment };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`the ${name} deployment did not finish`);
};

let deployed: Deployed[];

beforeAll(async () => {
  const tenantA = await newStore(SCOPES);
  const tenantB = await newStore(SCOPES);
  deployed = await Promise.all([
    deployReporter(tenantA, 'a1'),
    deployReporter(tenantA, 'a2'),
    deployReporter(tenantB, 'b'),
  ]);
}, 120_000);

describe('a hosted application’s environment under the local stack', () => {
  it('holds its own deployment’s configuration, plain and secret', () => {
    for (const { name, configuration, environment } of deployed)
      expect(environment, name).toMatchObject(configuration);
  });

  it('holds no key and no value of another deployment, of its own tenant or another', () => {
    for (const own of deployed)
      for (const other of deployed.filter((d) => d !== own)) {
        const foreignKeys = Object.keys(other.configuration).filter((k) => k !== 'SHARED_KEY');
        const foreignValues = Object.values(other.configuration);
        const label = `${own.name} holding ${other.name}'s configuration`;

        expect(
          foreignKeys.filter((k) => k in own.environment),
          label,
        ).toEqual([]);
        expect(
          Object.entries(own.environment).filter(([, value]) => foreignValues.some((v) => value.includes(v))),
          label,
        ).toEqual([]);
      }
  });
});
