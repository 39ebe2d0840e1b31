import { beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentLog } from '../../functions/core/deployments/model.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { connectorFiles, settle, storeUpload, zipBytes } from '../fixtures/connectors.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

const tenant = newTenant();
const projectKey = uniqueKey('logs');
let token: string;
let deployment: JsonBody;

const logs = async (query = '', ref = deployment.id) =>
  api(`/${projectKey}/deployments/${ref}/logs${query}`, { token });

beforeAll(async () => {
  token = await tokenFor(tenant, ['admin']);
  await api('/projects', { token, body: { key: projectKey } });
  const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles()));
  const connectorKey = uniqueKey('conn');
  const draft = await (
    await api('/connectors/drafts', {
      token,
      body: {
        key: connectorKey,
        name: 'c',
        creator: { email: 'dev@example.com' },
        artifact: { projectKey, uploadId },
      },
    })
  ).json();
  await api(`/connectors/drafts/${draft.id}`, {
    token,
    body: { version: 1, actions: [{ action: 'publish' }] },
  });
  await settle(tenant, draft.id);
  const created = await (
    await api(`/${projectKey}/deployments`, {
      token,
      body: {
        connector: { key: connectorKey },
        region: 'local',
        configurations: [
          {
            applicationName: 'service-app',
            securedConfiguration: [{ key: 'CTP_CLIENT_SECRET', value: 's' }],
          },
        ],
        globalConfiguration: { standardConfiguration: [{ key: 'GLOBAL_FLAG', value: 'on' }] },
      },
    })
  ).json();
  expect(await operationEnd(created)).toBe('SUCCEEDED');
  deployment = created;
}, 60_000);

describe('deployment logs', () => {
  it('holds what the workflow wrote for every application, in Connect’s shape', async () => {
    const res = await logs();
    const body = await res.json();
    const deployedLines = body.data.filter((l: DeploymentLog) =>
      String(l.details.message).includes(`Build ${deployment.details.build.id}: deployed as version`),
    );

    expect(res.status).toBe(200);
    expect(deployedLines.map((l: DeploymentLog) => l.applicationName).sort()).toEqual(
      ['assets-app', 'event-app', 'job-app', 'service-app'].sort(),
    );
    expect(deployedLines[0]).toEqual({
      type: 'APPLICATION_TEXT',
      deploymentId: deployment.id,
      applicationName: expect.any(String),
      severity: 'INFO',
      timestamp: expect.any(String),
      details: { message: expect.any(String) },
    });
    // The last page says so with `"next": null`: the commercetools CLI stops only on null or "".
    expect(body).toHaveProperty('next', null);
  });

  it('filters by application, and names an application the deployment does not have', async () => {
    const one = await (await logs('?applicationName=job-app')).json();
    const ghost = await logs('?applicationName=ghost');

    expect(one.data.length).toBeGreaterThan(0);
    expect(new Set(one.data.map((l: DeploymentLog) => l.applicationName))).toEqual(new Set(['job-app']));
    expect(ghost.status).toBe(400);
    expect((await ghost.json()).errors[0]).toMatchObject({
      code: 'DeploymentApplicationDoesNotExist',
      message: 'Deployment does not have an application named ghost.',
    });
  });

  it.each([
    [`?startDate=${new Date(Date.now() - 31 * 86_400_000).toISOString()}`, 'more than 30 days'],
    [
      `?startDate=${new Date().toISOString()}&endDate=${new Date(Date.now() - 60_000).toISOString()}`,
      'after endDate',
    ],
    ['?startDate=yesterday', 'not an ISO 8601 date'],
  ])('refuses %s with DeploymentLogInvalidDate', async (query, detail) => {
    const res = await logs(query);

    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toMatchObject({
      code: 'DeploymentLogInvalidDate',
      message: 'Invalid start/end date',
      detailedErrorMessage: expect.stringContaining(detail),
    });
  });

  it('pages through many entries with pageToken, each once and in time order, inside the window', async () => {
    const id = deployment.id;
    const base = Date.now() - 3_600_000;
    const entries: DeploymentLog[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'APPLICATION_JSON',
      deploymentId: id,
      applicationName: 'service-app',
      severity: 'DEBUG',
      timestamp: new Date(base + i * 1000).toISOString(),
      details: { n: i },
    }));
    await deploymentDeps.logs.append(entries);
    const window = `startDate=${new Date(base).toISOString()}&endDate=${new Date(base + 249_000).toISOString()}`;

    const seen: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const body = await (await logs(`?${window}&limit=100${token ? `&pageToken=${token}` : ''}`)).json();
      seen.push(...body.data.map((l: DeploymentLog) => Number(l.details.n)));
      token = body.next;
      pages++;
    } while (token);
    const narrow = await (
      await logs(
        `?startDate=${new Date(base + 10_000).toISOString()}&endDate=${new Date(base + 19_000).toISOString()}`,
      )
    ).json();

    expect(pages).toBeGreaterThanOrEqual(3);
    expect(seen).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(narrow.data.map((l: DeploymentLog) => l.details.n)).toEqual([
      10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
    ]);
  });

  it('refuses a page token that is not this listing’s', async () => {
    const forged = Buffer.from(JSON.stringify({ PK: 'DEPLOYMENTLOG#other', SK: 'x' })).toString('base64url');

    const responses = await Promise.all([logs(`?pageToken=${forged}`), logs('?pageToken=not-a-token')]);

    for (const res of responses) {
      expect(res.status).toBe(400);
      expect((await res.json()).errors[0]).toMatchObject({ code: 'DeploymentLogInvalidPageToken' });
    }
  });

  it('answers 404 for another tenant’s deployment', async () => {
    const stranger = await tokenFor(newTenant(), ['admin']);

    const res = await api(`/${projectKey}/deployments/${deployment.id}/logs`, { token: stranger });

    expect(res.status).toBe(404);
  });
});
