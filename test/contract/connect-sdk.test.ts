import { randomBytes } from 'node:crypto';
import {
  type ApiRoot,
  type ClientRequest,
  type ClientResponse,
  type ConfigurationValue,
  type Connector,
  createApiClient,
  type DeploymentConfigurationApplication,
  type DeploymentDraft,
  type DeploymentLog,
  type DeploymentLogCursorPagedQueryResponse,
  REGIONS,
} from '@commercetools-connect/sdk';
import { beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import type { DeploymentLog as StoredLog } from '../../functions/core/deployments/model.ts';
import { CONNECT_REGIONS } from '../../functions/core/deployments/regions.ts';
import { deploymentDeps } from '../../functions/wiring/deployments.ts';
import { connectorFiles, settle, storeUpload, zipBytes } from '../fixtures/connectors.ts';
import { operationEnd } from '../fixtures/workflows.ts';
import { api, createClient, gatewayUrl, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

/**
 * Slipway as the official commercetools CLI (`@commercetools/cli-topic-connect` 0.0.23) sees it:
 * its Connect client, `@commercetools-connect/sdk` 0.0.13, called the way the CLI's commands
 * call it. The SDK only builds requests; the CLI executes them with `@commercetools/ts-client`'s
 * HTTP middleware (host + relative URI, JSON bodies, a correlation id) through a fetch that adds
 * the bearer token from a client-credentials grant. `cliExecutor` below does the same.
 */

const tenant = newTenant();
const projectKey = uniqueKey('cli');
const connectorKey = uniqueKey('conn');
const deploymentKey = uniqueKey('cli-dep');
/** More lines than one page holds (100 when the client names no `limit`, as the CLI never does). */
const EXTRA_LINES = 250;

/** Every response the SDK received, as it came off the wire. */
const wire: { method: string; uri: string; status: number; text: string }[] = [];

/** The CLI's token call (`ctp-http-auth-client.js`): Basic auth, `grant_type=client_credentials` only. */
const cliToken = async (clientId: string, clientSecret: string): Promise<string> => {
  const response = await fetch(`${gatewayUrl()}/oauth/token`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }),
  });
  expect(response.status).toBeLessThan(300);
  const token = z
    .object({ access_token: z.string(), expires_in: z.number(), scope: z.string().optional() })
    .parse(JSON.parse(await response.text()));
  // The CLI refuses a token none of whose scopes ends with `:<projectKey>`.
  expect((token.scope ?? '').split(' ').some((scope) => scope.endsWith(`:${projectKey}`))).toBe(true);
  return token.access_token;
};

/**
 * What `ConnectApiClientFactory.create()` hands the SDK: ts-client's HTTP middleware (URL is the
 * host plus the request's relative URI, `Content-Type: application/json` on every request, the
 * body JSON-encoded, the answer parsed from text, a non-2xx answer thrown with its status)
 * behind the correlation-id middleware, fetching through the CLI's auth fetch (bearer token).
 */
const cliExecutor =
  (host: string, accessToken: string) =>
  async (request: ClientRequest): Promise<ClientResponse> => {
    const headers = {
      Authorization: `Bearer ${accessToken}`,
      'Content-Type': 'application/json',
      ...(request.headers as Record<string, string>),
      'X-Correlation-ID': `commercetools-cli-${randomBytes(16).toString('hex')}`,
      'Accept-Encoding': 'application/json',
    };
    const response = await fetch(host.replace(/\/$/, '') + request.uri, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
    });
    const text = await response.text();
    wire.push({ method: request.method, uri: request.uri ?? '', status: response.status, text });
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
    if (response.status < 200 || response.status >= 300)
      throw Object.assign(
        new Error(`${request.method} ${request.uri} answered ${response.status}: ${text}`),
        {
          statusCode: response.status,
          body,
        },
      );
    return { body, statusCode: response.status, originalRequest: request };
  };

/**
 * The CLI's `ConfigurationFlagParser`: `--configuration app.KEY=value` or `KEY=value`, each key
 * typed standard or secured by the connector's declarations; every declared application is sent,
 * with empty lists when it is given nothing, and the global configuration always.
 */
const configurationObjects = (connector: Connector, values: string[]) => {
  const declared = connector.configurations ?? [];
  const configurations = declared.map((app) => ({
    applicationName: app.applicationName,
    standardConfiguration: [] as ConfigurationValue[],
    securedConfiguration: [] as ConfigurationValue[],
  }));
  const globalConfiguration = {
    standardConfiguration: [] as ConfigurationValue[],
    securedConfiguration: [] as ConfigurationValue[],
  };
  for (const flag of values) {
    const [, applicationName = '', appKey = '', appValue = ''] =
      /^([a-zA-Z0-9_-]+)\.([a-zA-Z0-9_]+)=([^\s]+)$/.exec(flag) ?? [];
    if (applicationName) {
      const spec = declared.find((app) => app.applicationName === applicationName);
      const target = configurations.find((app) => app.applicationName === applicationName);
      if (!spec || !target) throw new Error(`no application ${applicationName}`);
      if (spec.standardConfiguration?.some((entry) => entry.key === appKey))
        target.standardConfiguration.push({ key: appKey, value: appValue });
      else if (spec.securedConfiguration?.some((entry) => entry.key === appKey))
        target.securedConfiguration.push({ key: appKey, value: appValue });
      else throw new Error(`no key ${appKey} in ${applicationName}`);
      continue;
    }
    const [, key = '', value = ''] = /^([a-zA-Z0-9_]+)=([^\s]+)$/.exec(flag) ?? [];
    const global = connector.globalConfiguration;
    if (global?.standardConfiguration?.some((entry) => entry.key === key))
      globalConfiguration.standardConfiguration.push({ key, value });
    else if (global?.securedConfiguration?.some((entry) => entry.key === key))
      globalConfiguration.securedConfiguration.push({ key, value });
    else throw new Error(`no global key ${key}`);
  }
  return {
    configurations: configurations satisfies DeploymentConfigurationApplication[],
    globalConfiguration,
  };
};

/**
 * `connect deployment logs --key …` answering "yes" at every "There's more logs available"
 * prompt: the first page, then `next` passed back as `pageToken` until a page's `next` is null
 * or "" (the only stops the CLI has). Gives up after `maxPages`, so a loop cannot hang the test.
 */
const cliLogPages = async (
  client: ApiRoot,
  dates: { startDate?: Date; endDate?: Date } = {},
  maxPages = 20,
): Promise<DeploymentLogCursorPagedQueryResponse[]> => {
  const getLogs = async (pageToken?: string) =>
    (
      await client
        .withProjectKey({ projectKey })
        .deployments()
        .withKey({ key: deploymentKey })
        .logs()
        .get({
          queryArgs: {
            applicationName: undefined,
            pageToken,
            startDate: dates.startDate?.toISOString(),
            endDate: dates.endDate?.toISOString(),
          },
        })
        .execute()
    ).body as DeploymentLogCursorPagedQueryResponse;
  const pages = [await getLogs()];
  let last = pages[0] as DeploymentLogCursorPagedQueryResponse;
  if (last.data.length === 0) return pages;
  while (last.next !== '' && last.next !== null) {
    if (pages.length === maxPages) throw new Error(`still paging after ${maxPages} pages`);
    last = await getLogs(last.next);
    pages.push(last);
  }
  return pages;
};

const lineNumbers = (pages: DeploymentLogCursorPagedQueryResponse[]) =>
  pages.flatMap((page) =>
    page.data
      .filter((line: DeploymentLog) => line.details?.cli !== undefined)
      .map((line: DeploymentLog) => Number(line.details.cli)),
  );

let client: ApiRoot;
let created: JsonBody;
let extraFrom: Date;

beforeAll(async () => {
  // The project and its connector, made by an administrator as other tests do.
  const admin = await tokenFor(tenant, ['admin']);
  await api('/projects', { token: admin, body: { key: projectKey } });
  const uploadId = await storeUpload(admin, projectKey, zipBytes(connectorFiles()));
  const draft = await (
    await api('/connectors/drafts', {
      token: admin,
      body: {
        key: connectorKey,
        name: 'c',
        creator: { email: 'dev@example.com' },
        artifact: { projectKey, uploadId },
      },
    })
  ).json();
  await api(`/connectors/drafts/${draft.id}`, {
    token: admin,
    body: { version: 1, actions: [{ action: 'publish' }] },
  });
  await settle(tenant, draft.id);

  // `commercetools auth login --client-credentials …`, then the CLI's Connect client.
  const { client: apiClient, secret } = await createClient(tenant, [
    `manage_connectors_deployments:${projectKey}`,
    'view_connectors',
  ]);
  client = createApiClient(
    cliExecutor(gatewayUrl(), await cliToken(apiClient.clientId, secret)),
    gatewayUrl(),
  );

  // `connect deployment create --key … --connector-key … --region europe-west1.gcp
  //   --configuration service-app.CTP_CLIENT_SECRET=s3cret,GLOBAL_FLAG=on`
  const connector = (await client.connectors().withKey({ key: connectorKey }).get().execute())
    .body as Connector;
  const { configurations, globalConfiguration } = configurationObjects(connector, [
    'service-app.CTP_CLIENT_SECRET=s3cret',
    'GLOBAL_FLAG=on',
  ]);
  const body: DeploymentDraft = {
    key: deploymentKey,
    type: undefined,
    connector: { id: undefined, key: connectorKey, version: connector.version, staged: false },
    configurations,
    globalConfiguration,
    region: 'europe-west1.gcp',
  };
  created = (await client.withProjectKey({ projectKey }).deployments().post({ body }).execute()).body;
  expect(await operationEnd(created)).toBe('SUCCEEDED');

  // More lines than a page holds, an hour back (inside the default 30-day window).
  extraFrom = new Date(Date.now() - 3_600_000);
  const extra: StoredLog[] = Array.from({ length: EXTRA_LINES }, (_, i) => ({
    type: 'APPLICATION_JSON',
    deploymentId: created.id,
    applicationName: 'service-app',
    severity: 'INFO',
    timestamp: new Date(extraFrom.getTime() + i * 1000).toISOString(),
    details: { cli: i },
  }));
  await deploymentDeps.logs.append(extra);
}, 90_000);

describe('the commercetools CLI’s Connect client (@commercetools-connect/sdk 0.0.13)', () => {
  it('offers exactly the regions Slipway serves beside local by default', () => {
    expect([...REGIONS]).toEqual([...CONNECT_REGIONS]);
  });

  it('creates a deployment in europe-west1.gcp as `connect deployment create` builds it', () => {
    const createCall = wire.find((call) => call.method === 'POST');

    expect(createCall?.status).toBe(201);
    expect(created).toMatchObject({
      id: expect.any(String),
      key: deploymentKey,
      deployedRegion: 'europe-west1.gcp',
      connector: { key: connectorKey },
      status: expect.any(String),
    });
  });

  it('reads the deployment back by id and by key', async () => {
    const deployments = client.withProjectKey({ projectKey }).deployments();

    const byId = (await deployments.withId({ ID: created.id }).get().execute()).body;
    const byKey = (await deployments.withKey({ key: deploymentKey }).get().execute()).body;

    expect(byId).toMatchObject({ id: created.id, key: deploymentKey, deployedRegion: 'europe-west1.gcp' });
    expect(byId.status).toBe('Deployed');
    expect(byKey).toEqual(byId);
  });

  it('pages the logs as `connect deployment logs` does, to an end, each line once', async () => {
    const pages = await cliLogPages(client);
    const lines = pages.flatMap((page) => page.data);
    const lastCall = wire.filter((call) => call.uri.includes('/logs')).at(-1);
    const lastOnTheWire = JSON.parse(lastCall?.text ?? '{}');

    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(lineNumbers(pages)).toEqual(Array.from({ length: EXTRA_LINES }, (_, i) => i));
    // The workflow's own lines come with them.
    expect(lines.some((line) => String(line.details.message).includes('deployed as version'))).toBe(true);
    for (const page of pages.slice(0, -1)) expect(page.next).toEqual(expect.any(String));
    expect(lastCall?.status).toBe(200);
    expect(Object.hasOwn(lastOnTheWire, 'next')).toBe(true);
    expect(lastOnTheWire.next).toBeNull();
  });

  it('pages a --startDate/--endDate window the same way', async () => {
    const pages = await cliLogPages(client, {
      startDate: extraFrom,
      endDate: new Date(extraFrom.getTime() + (EXTRA_LINES - 1) * 1000),
    });

    expect(pages.map((page) => page.data.length)).toEqual([100, 100, 50]);
    expect(lineNumbers(pages)).toEqual(Array.from({ length: EXTRA_LINES }, (_, i) => i));
    expect(pages.at(-1)?.next).toBeNull();
  });
});
