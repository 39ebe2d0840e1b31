/**
 * The BigCommerce dialect end to end, the calls the Catalyst CLI makes: a project, an upload
 * URL, examples/storefront's zip PUT there, a deployment, its events to `completed`; then its
 * address answers, the project's logs show the request, and deleting the project undeploys it.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { zipOfFolder } from '../example-repo.ts';
import { readToOutcome } from './events.ts';
import { type Call, printable, SmokeError, until } from './http.ts';
import type { Smoke } from './steps.ts';

export interface StoreCredentials {
  url: string;
  storeHash: string;
  storeToken: string;
}

type Data<T> = { data: T };

export const smokeBigCommerce = async (smoke: Smoke, store: StoreCredentials): Promise<void> => {
  const { step, call, leftovers, signal } = smoke;
  const api = `${store.url}/stores/${store.storeHash}/v3/infrastructure`;
  const headers = { 'x-auth-token': store.storeToken };
  const greeting = `Smoke ${smoke.name}`;
  // A secret the site is given: it must come back in no answer (checked on the logs).
  const secret = `smoke-secret-${randomBytes(8).toString('hex')}`;
  const deadline = () => Date.now() + smoke.timeoutMs;

  const project = await step('bigcommerce: project', async (note) => {
    const { body } = await call('POST', `${api}/projects`, { headers, json: { name: smoke.name } });
    const uuid = (body as Data<{ uuid: string }>).data.uuid;
    note(`${smoke.name} (${uuid})`);
    return uuid;
  });
  const projectRemoved = leftovers.add(`the BigCommerce project ${smoke.name}`, () =>
    // Its own signal: the cleanup also runs after Ctrl-C aborted the run's.
    deleteProject(
      smoke.cleanupCall,
      api,
      headers,
      project,
      Date.now() + 60_000,
      new AbortController().signal,
    ),
  );

  const uploadUuid = await step('bigcommerce: upload', async (note) => {
    const zip = zipOfFolder(join(smoke.examples, 'storefront'));
    const { body } = await call('POST', `${api}/deployments/uploads`, { headers, json: {} });
    const { upload_url, upload_uuid } = (body as Data<{ upload_url: string; upload_uuid: string }>).data;
    await call('PUT', upload_url, { headers: { 'content-type': 'application/zip' }, body: zip.bytes });
    note(
      `${zip.files} file${zip.files === 1 ? '' : 's'}, ${zip.bytes.length} bytes to ${printable(upload_url)}`,
    );
    return upload_uuid;
  });

  const deployment = await step('bigcommerce: deployment created', async (note) => {
    const { body, text } = await call('POST', `${api}/deployments`, {
      headers,
      json: {
        upload_uuid: uploadUuid,
        project_uuid: project,
        environment_variables: [
          { type: 'plain_text', key: 'GREETING', value: greeting },
          { type: 'secret', key: 'API_KEY', value: secret },
        ],
      },
    });
    if (text.includes(secret)) throw new SmokeError('the answer shows the secret environment variable');
    const uuid = (body as Data<{ deployment_uuid: string }>).data.deployment_uuid;
    note(uuid);
    return uuid;
  });

  await step('bigcommerce: events to completed', async (note) => {
    const { outcome, steps } = await readToOutcome(
      `${api}/deployments/${deployment}/events`,
      headers,
      deadline(),
      signal,
    );
    note(`${steps.join(' → ')}, at ${outcome.deployment_url}`);
  });

  const site = await step('bigcommerce: site answers', async (note) => {
    const { body, text } = await call('GET', `${api}/deployments/${deployment}`, { headers });
    if (text.includes(secret)) throw new SmokeError('the deployment shows the secret environment variable');
    const { deployment_url: url, deployment_status: status } = (
      body as Data<{ deployment_url: string | null; deployment_status: string }>
    ).data;
    if (status !== 'completed' || !url) throw new SmokeError(`the deployment reads ${status}, at ${url}`);
    const page = await call('GET', url, { expect: [200] });
    if (!page.text.includes(greeting))
      throw new SmokeError(`GET ${url} answered 200 without its GREETING '${greeting}'`);
    note(url);
    return url;
  });

  await step('bigcommerce: logs', async (note) => {
    // Request logs are written as the site answers; reading may still race the write, so ask again.
    const entries = await until('the request in the logs', deadline(), signal, async () => {
      const { body, text } = await call('GET', `${api}/logs/${project}`, { headers });
      if (text.includes(secret)) throw new SmokeError('the logs show the secret environment variable');
      const data = (body as Data<{ request: unknown }[]>).data;
      return data.some((entry) => entry.request)
        ? { done: data.length }
        : { waiting: `${data.length} entries` };
    });
    note(`${entries} entries, the site's request among them`);
  });

  await step('bigcommerce: undeploy', async (note) => {
    await deleteProject(call, api, headers, project, deadline(), signal);
    projectRemoved();
    await call('GET', `${api}/projects/${project}`, { headers, expect: [404] });
    // The project is gone at once; its site stops when the undeploy workflow has run.
    await until('the site to stop', deadline(), signal, async () => {
      const { status } = await call('GET', site, { expect: [200, 404, 503] });
      return status === 404 ? { done: status } : { waiting: `answering ${status}` };
    });
    note('project deleted, site gone');
  });
};

/** DELETE of a project; refused (409) while a deployment is in progress, so then asked again until `deadline`. */
const deleteProject = (
  call: Call,
  api: string,
  headers: Record<string, string>,
  project: string,
  deadline: number,
  signal: AbortSignal,
) =>
  until('the project to be deletable', deadline, signal, async () => {
    const { status } = await call('DELETE', `${api}/projects/${project}`, {
      headers,
      expect: [204, 404, 409],
    });
    return status === 409 ? { waiting: 'a deployment in progress' } : { done: undefined };
  });
