/**
 * `npm run smoke`, the check a user runs against a live stack after `npm run deploy`, run here
 * as that user runs it (a child process, `npm run smoke -- --url …`, credentials in the
 * variables `npm start`'s export lines set) against the run's local stack: the same stack code
 * as `npm start` (DynamoDB Local, the S3 server, the Step Functions endpoint, local hosting),
 * reached only over HTTP. So the script cannot rot, and the stack passes its own smoke.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ADMIN_SCOPE } from '../../functions/core/auth/scopes.ts';
import { STORE_SCOPES } from '../../functions/local/dev-setup.ts';
import { newcomerEnv, ROOT } from '../fixtures/server.ts';
import {
  api,
  createClient,
  createStoreAccessToken,
  gatewayUrl,
  newTenant,
  tokenFor,
  uniqueKey,
} from '../helpers.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run smoke -- <args>` with `env` as its only credentials (none of the test run's own variables). */
const smoke = (args: string[], env: Record<string, string>): Promise<Run> =>
  new Promise((resolve, reject) => {
    const inherited = Object.entries(newcomerEnv()).filter(
      ([name]) => !/^(CLIENT_ID|CLIENT_SECRET|STORE_HASH|STORE_TOKEN)$/.test(name),
    );
    const child = spawn('npm', ['run', 'smoke', '--', ...args], {
      cwd: ROOT,
      env: { ...Object.fromEntries(inherited), ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

/** The step lines, in order: `✓ <step> (<ms> ms)…` or `✗ <step>: <reason>`. */
const stepLines = (stdout: string) => stdout.split('\n').filter((line) => /^[✓✗] /.test(line));

/** A tenant as `npm start` makes the development one: an admin client and a store token of its own. */
const newDevelopmentTenant = async (storeScopes = STORE_SCOPES) => {
  const tenant = newTenant();
  const { client, secret } = await createClient(tenant, [ADMIN_SCOPE]);
  const { token: storeToken } = await createStoreAccessToken(tenant, storeScopes);
  return { tenant, clientId: client.clientId, clientSecret: secret, storeToken };
};

/** The store's projects in the BigCommerce dialect, as their names. */
const storeProjects = async (tenant: string, storeToken: string): Promise<string[]> => {
  const res = await api(`/stores/${tenant}/v3/infrastructure/projects`, {
    headers: { 'x-auth-token': storeToken },
  });
  expect(res.status).toBe(200);
  return (await res.json()).data.map((p: { name: string }) => p.name);
};

const STEPS = [
  'health',
  'token',
  'bigcommerce: project',
  'bigcommerce: upload',
  'bigcommerce: deployment created',
  'bigcommerce: events to completed',
  'bigcommerce: site answers',
  'bigcommerce: logs',
  'bigcommerce: undeploy',
  'connect: project',
  'connect: upload',
  'connect: upload marked uploaded',
  'connect: deployment created',
  'connect: Deployed',
  'connect: applications answer',
  'connect: logs',
  'connect: undeploy',
  'health at the end',
];

describe('npm run smoke', () => {
  it('passes every step against the local stack, each with its time, and leaves nothing behind', async () => {
    const dev = await newDevelopmentTenant();
    const project = uniqueKey('smoke');

    const run = await smoke(['--url', gatewayUrl(), '--project', project, '--timeout', '90'], {
      CLIENT_ID: dev.clientId,
      CLIENT_SECRET: dev.clientSecret,
      STORE_HASH: dev.tenant,
      STORE_TOKEN: dev.storeToken,
    });
    const output = `${run.stdout}\n${run.stderr}`;

    expect(run.code, output).toBe(0);
    const lines = stepLines(run.stdout);
    expect(
      lines.map((line) => /^✓ (.+?) \(\d+ ms\)/.exec(line)?.[1]),
      output,
    ).toEqual(STEPS);
    expect(run.stdout).toMatch(/^All steps passed\.$/m);
    // Nothing was left for the cleanup, and no secret was printed: neither the client secret,
    // the store token nor any bearer token (a JWT), nor a presigned URL's signature.
    expect(run.stderr).not.toContain('cleanup:');
    for (const secret of [dev.clientSecret, dev.storeToken]) expect(output).not.toContain(secret);
    expect(output).not.toMatch(/eyJ[\w-]+\.[\w-]+/);
    expect(output).not.toMatch(/X-Amz-Signature|smoke-secret-/i);

    // What the run made is gone: the store's project, and the deployment in the Connect project.
    // That project is kept (Connect has no DELETE of a project; the next run reuses it), and,
    // the store being the same tenant, it is the one project the store lists.
    expect(await storeProjects(dev.tenant, dev.storeToken)).toEqual(['Slipway smoke']);
    const token = await tokenFor(dev.tenant, [ADMIN_SCOPE]);
    const deployments = await api(`/${project}/deployments`, { token });
    expect(deployments.status).toBe(200);
    expect((await deployments.json()).total).toBe(0);
  }, 120_000);

  it('names the first failing step and exits 1: a wrong token', async () => {
    // As the export lines give it; a token typed after `npm run smoke --` would be echoed by npm itself.
    const run = await smoke(['--url', gatewayUrl(), '--no-bigcommerce'], { SLIPWAY_TOKEN: 'not-a-token' });

    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = stepLines(run.stdout);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^✓ health \(\d+ ms\)/);
    expect(lines[1]).toMatch(/^✗ token: GET http:\/\/\S+\/projects answered 401: /);
    expect(run.stdout + run.stderr).not.toContain('not-a-token');
    expect(run.stdout).not.toContain('All steps passed');
  });

  it('removes what it made when a step fails half-way', async () => {
    // A store token that may make projects but not deployments: the upload step is refused.
    const dev = await newDevelopmentTenant([
      'store_infrastructure_projects_manage',
      'store_infrastructure_projects_read_only',
    ]);

    const run = await smoke(['--url', gatewayUrl(), '--no-connect'], {
      STORE_HASH: dev.tenant,
      STORE_TOKEN: dev.storeToken,
    });

    expect(run.code, run.stdout + run.stderr).toBe(1);
    const lines = stepLines(run.stdout);
    expect(lines.slice(0, 2).map((line) => /^✓ (.+?) \(\d+ ms\)/.exec(line)?.[1])).toEqual([
      'health',
      'bigcommerce: project',
    ]);
    expect(lines[2]).toMatch(/^✗ bigcommerce: upload: POST \S+\/deployments\/uploads answered 403: /);
    expect(lines).toHaveLength(3);
    expect(run.stderr).toMatch(/^ {2}cleanup: removed the BigCommerce project smoke-\S+$/m);
    expect(await storeProjects(dev.tenant, dev.storeToken)).toEqual([]);
  });
});
