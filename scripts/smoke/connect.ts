/**
 * The Connect dialect end to end with examples/connector, deployed straight from an upload
 * (Slipway's `artifact: {uploadId}`): unlike a git repository, an upload reaches a stack on
 * AWS from any machine (a `file://` repository is only on this one). The upload must be
 * marked `uploaded` by storage's event first, which also checks that wiring on AWS.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { zipOfFolder } from '../example-repo.ts';
import { type Call, type Probe, printable, SmokeError, until } from './http.ts';
import type { Smoke } from './steps.ts';

export interface ConnectTarget {
  url: string;
  token: string;
  /** An existing project of the token's tenant, or one to create: Connect has no project deletion. */
  projectKey: string;
  region: string;
}

interface Application {
  applicationName: string;
  url?: string;
  topic?: string;
  schedule?: string;
}
interface DeploymentView {
  status: string;
  version: number;
  applications: Application[];
  details: { build: { report: { entries: { type: string; title: string; message?: string }[] } } };
}

/** What a deployed application of each type must carry (docs/connect-api.md, "Applications' addresses"). */
const ADDRESS_OF = { service: 'url', assets: 'url', event: 'topic', job: 'schedule' } as const;
type ApplicationType = keyof typeof ADDRESS_OF;

/** The applications examples/connector's connect.yaml declares, by name. */
const declaredApplications = (dir: string): Map<string, ApplicationType> => {
  const spec = parse(readFileSync(join(dir, 'connect.yaml'), 'utf8')) as {
    deployAs: { name: string; applicationType: ApplicationType }[];
  };
  return new Map(spec.deployAs.map((a) => [a.name, a.applicationType]));
};

/** A deployment may hold `Error` entries; they say why it failed. */
const errorsOf = (d: DeploymentView): string =>
  d.details.build.report.entries
    .filter((e) => e.type === 'Error')
    .map((e) => e.message ?? e.title)
    .join('; ') || 'no Error entry';

export const smokeConnect = async (smoke: Smoke, target: ConnectTarget): Promise<void> => {
  const { step, call, leftovers, signal } = smoke;
  const headers = { authorization: `Bearer ${target.token}` };
  const project = `${target.url}/${target.projectKey}`;
  const deployment = `${project}/deployments/key=${smoke.name}`;
  const greeting = `Smoke ${smoke.name}`;
  // Secured configuration is write-only: it must come back in no answer (checked on every read).
  const secret = `smoke-secret-${randomBytes(8).toString('hex')}`;
  const deadline = () => Date.now() + smoke.timeoutMs;
  const dir = join(smoke.examples, 'connector');
  const read = async (): Promise<DeploymentView> => {
    const { text, body } = await call('GET', deployment, { headers });
    if (text.includes(secret)) throw new SmokeError('the deployment shows the secured configuration value');
    return body as DeploymentView;
  };

  await step('connect: project', async (note) => {
    const { status } = await call('POST', `${target.url}/projects`, {
      headers,
      json: { key: target.projectKey, name: 'Slipway smoke' },
      expect: [201, 409],
    });
    // 409: made by an earlier run (kept: there is no DELETE of a project); it must be this tenant's.
    if (status === 409) await call('GET', `${target.url}/projects/${target.projectKey}`, { headers });
    note(`${target.projectKey} (${status === 201 ? 'created' : 'exists'})`);
  });

  const uploadId = await step('connect: upload', async (note) => {
    const zip = zipOfFolder(dir);
    const sha256 = createHash('sha256').update(zip.bytes).digest('hex');
    const { body } = await call('POST', `${project}/uploads`, {
      headers,
      json: { size: zip.bytes.length, sha256 },
      expect: [201],
    });
    const slot = body as { id: string; url: string; headers: Record<string, string> };
    // Exactly the signed headers; fetch sets Content-Length itself from the body.
    const signed = Object.fromEntries(
      Object.entries(slot.headers).filter(([name]) => name.toLowerCase() !== 'content-length'),
    );
    await call('PUT', slot.url, { headers: signed, body: zip.bytes });
    note(`${zip.files} files, ${zip.bytes.length} bytes to ${printable(slot.url)}`);
    return slot.id;
  });

  // Storage reports an object within seconds (on AWS, S3's "Object Created" event through
  // EventBridge to the upload-events function), so this wait is a minute at most: a missing
  // report says so sooner than the whole --timeout.
  const reported = Date.now() + Math.min(smoke.timeoutMs, 60_000);
  await step('connect: upload marked uploaded', (note) =>
    until('the upload to be marked uploaded', reported, signal, async (): Promise<Probe<void>> => {
      const { body } = await call('GET', `${project}/uploads/${uploadId}`, { headers });
      const { status } = body as { status: string };
      if (status === 'uploaded') {
        note(uploadId);
        return { done: undefined };
      }
      if (status !== 'pending') throw new SmokeError(`the upload reads ${status}`);
      return { waiting: 'pending (storage has not reported the object)' };
    }),
  );

  // Registered before the request: a create whose answer is lost still gets removed.
  const deploymentRemoved = leftovers.add(`the Connect deployment ${smoke.name}`, () =>
    undeploy(smoke.cleanupCall, deployment, headers),
  );
  await step('connect: deployment created', async (note) => {
    const { body, text } = await call('POST', `${project}/deployments`, {
      headers: { ...headers, 'idempotency-key': randomUUID() },
      json: {
        key: smoke.name,
        artifact: { uploadId },
        region: target.region,
        configurations: [
          {
            applicationName: 'service',
            standardConfiguration: [{ key: 'GREETING', value: greeting }],
            securedConfiguration: [{ key: 'API_TOKEN', value: secret }],
          },
        ],
      },
      expect: [201],
    });
    if (text.includes(secret)) throw new SmokeError('the answer shows the secured configuration value');
    note(`${smoke.name} (${(body as DeploymentView).status})`);
  });

  const deployed = await step('connect: Deployed', (note) =>
    until('Deployed', deadline(), signal, async (): Promise<Probe<DeploymentView>> => {
      const d = await read();
      if (d.status === 'Failed') throw new SmokeError(`Failed: ${errorsOf(d)}`);
      if (d.status !== 'Deployed') return { waiting: d.status };
      // Every application connect.yaml declares, with the address its type gets.
      const missing = [...declaredApplications(dir)].flatMap(([name, type]) => {
        const field = ADDRESS_OF[type];
        return d.applications.find((a) => a.applicationName === name)?.[field] ? [] : [`${name} (${field})`];
      });
      if (missing.length > 0) throw new SmokeError(`Deployed without the address of ${missing.join(', ')}`);
      note(d.applications.map((a) => a.applicationName).join(', '));
      return { done: d };
    }),
  );

  const served = deployed.applications.filter((a): a is Application & { url: string } => !!a.url);
  await step('connect: applications answer', async (note) => {
    const seen: string[] = [];
    for (const application of served) {
      const { body, text } = await call('GET', application.url, { expect: [200] });
      const type = declaredApplications(dir).get(application.applicationName);
      if (type === 'service') {
        const answer = body as { greeting?: string; apiTokenConfigured?: boolean } | undefined;
        if (answer?.greeting !== greeting || answer.apiTokenConfigured !== true)
          throw new SmokeError(
            `${application.applicationName} answered without its configuration: ${text.slice(0, 200)}`,
          );
      } else if (type === 'assets') {
        const index = readFileSync(join(dir, application.applicationName, 'index.html'), 'utf8');
        if (text.trim() !== index.trim())
          throw new SmokeError(`${application.applicationName} answered other than its index.html`);
      }
      seen.push(`${application.applicationName} ${printable(application.url)}`);
    }
    note(seen.join(', '));
  });

  await step('connect: logs', (note) =>
    // The postDeploy script's line; on a real stack logs may reach storage a moment late.
    until('the postDeploy line in the logs', deadline(), signal, async (): Promise<Probe<void>> => {
      const { text, body } = await call('GET', `${deployment}/logs?applicationName=service`, { headers });
      if (text.includes(secret)) throw new SmokeError('the logs show the secured configuration value');
      if (!text.includes('postDeploy: the service is live'))
        return { waiting: 'without the postDeploy line' };
      note(`${(body as { data: unknown[] }).data.length} entries, the postDeploy line among them`);
      return { done: undefined };
    }),
  );

  await step('connect: undeploy', async (note) => {
    await call('DELETE', deployment, { headers, expect: [202] });
    deploymentRemoved();
    await until('the deployment to be removed', deadline(), signal, async (): Promise<Probe<void>> => {
      const { status, body } = await call('GET', deployment, { headers, expect: [200, 404] });
      if (status === 404) return { done: undefined };
      const now = (body as DeploymentView).status;
      if (now === 'UndeployFailed')
        throw new SmokeError(`UndeployFailed: ${errorsOf(body as DeploymentView)}`);
      return { waiting: now };
    });
    const still = [];
    for (const application of served) {
      const { status } = await call('GET', application.url, { expect: [200, 403, 404, 502, 503] });
      if (status === 200) still.push(application.applicationName);
    }
    if (still.length > 0) throw new SmokeError(`still answering after the undeploy: ${still.join(', ')}`);
    note(`removed; ${served.map((a) => a.applicationName).join(', ')} no longer answer`);
  });
};

/**
 * The cleanup of a run that stopped half-way, best effort: a deployment still `Queued` or
 * `Deploying` is canceled first (DELETE refuses those), then deleted, and awaited until it
 * is gone (a minute at most). A write that races the workflow (409) is tried again.
 */
const undeploy = (call: Call, deployment: string, headers: Record<string, string>) =>
  until(
    'the deployment to be removed',
    Date.now() + 60_000,
    new AbortController().signal,
    async (): Promise<Probe<void>> => {
      const { status, body } = await call('GET', deployment, { headers, expect: [200, 404] });
      if (status === 404) return { done: undefined };
      const d = body as DeploymentView;
      if (d.status === 'Queued' || d.status === 'Deploying') {
        await call('POST', deployment, {
          headers,
          json: { version: d.version, actions: [{ action: 'cancel' }] },
          expect: [200, 400, 409],
        });
        return { waiting: `${d.status}, canceled` };
      }
      if (d.status !== 'Undeploying') {
        const { status: deleted } = await call('DELETE', deployment, { headers, expect: [202, 409] });
        if (deleted === 409) return { waiting: `${d.status}, its DELETE refused for now` };
      }
      return { waiting: 'Undeploying' };
    },
  );
