/**
 * Faults at every step: every Task state of every state machine (deploy, undeploy,
 * publish-connector), enumerated from `statemachine/*.asl.json` so that a new Task is covered
 * without a change here, is made to throw and to time out. Each time the operation must end
 * in its terminal failure status with an Error entry, free what it held (the project's lock,
 * the draft's publish request) and leave no hosted process of the failed build behind.
 *
 * A Task's failure is injected through the local Step Functions endpoint
 * (`injectFault`, per tenant: each case has its own), as deployment-workflow.test.ts does.
 */
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionName } from '../../functions/core/connectors/registry.ts';
import { STATE_MACHINE_DIR } from '../../functions/local/state-machines.ts';
import { connectorDeps } from '../../functions/wiring/connectors.ts';
import {
  connectorFiles,
  connectorRepoFiles,
  type GitFixture,
  gitRepository,
  settle,
  storeUpload,
  zipBytes,
} from '../fixtures/connectors.ts';
import { reapDeployment, taskResource } from '../fixtures/proof.ts';
import {
  executionEnd,
  hostedOf,
  injectFault,
  operationEnd,
  stateMachineDefinition,
  taskStateNames,
} from '../fixtures/workflows.ts';
import { api, type JsonBody, newTenant, tokenFor, uniqueKey } from '../helpers.ts';

type Machine = 'deploy' | 'undeploy' | 'publish-connector';
type Kind = 'throw' | 'timeout';

const MACHINES: Machine[] = ['deploy', 'undeploy', 'publish-connector'];
const KINDS: Kind[] = ['throw', 'timeout'];

/**
 * The error a Task fails with. Throwing: what its integration reports on AWS, a failed build
 * for CodeBuild's `startBuild.sync` (States.TaskFailed), a Lambda service error for a function
 * (Lambda.ServiceException, which the definitions retry before they catch it).
 *
 * Timing out: Step Functions fails a Task that runs past its TimeoutSeconds with the error
 * `States.Timeout`. Raising it for real would take the Task's whole TimeoutSeconds (30 s to
 * 20 minutes) here; injecting the same error at once stands for it because Retry and Catch
 * match on the error's name alone: the definition takes the very path a real timeout takes,
 * and RecordFailure receives what it would receive. What it does not reproduce: on AWS the
 * timed-out work (a Lambda invocation, a build) may go on after the execution left it.
 */
const faultFor = (machine: Machine, state: string, kind: Kind) => {
  if (kind === 'timeout') return { error: 'States.Timeout', cause: `${state} timed out (injected)` };
  const resource = taskResource(stateMachineDefinition(machine), state) ?? '';
  return {
    error: resource.includes(':codebuild:') ? 'States.TaskFailed' : 'Lambda.ServiceException',
    cause: `${state} failed (injected)`,
  };
};

/**
 * RecordFailure runs only once another Task failed: its case fails this Task as well. For
 * deploy, the step after hosting, so a hosted service exists that only the clean-up stops.
 */
const FAILS_FIRST: Record<Machine, string> = {
  deploy: 'Hosted',
  undeploy: 'StartUndeploy',
  'publish-connector': 'Inspect',
};

/** Every Task of a state machine, each with both faults. */
const cases = (machine: Machine) =>
  taskStateNames(stateMachineDefinition(machine)).flatMap((state) => KINDS.map((kind) => ({ state, kind })));

/** The figures the file prints at the end. */
const injected: Record<Machine, Record<Kind, number>> = {
  deploy: { throw: 0, timeout: 0 },
  undeploy: { throw: 0, timeout: 0 },
  'publish-connector': { throw: 0, timeout: 0 },
};
const terminal: Record<string, number> = {};
const reached = (status: string) => {
  terminal[status] = (terminal[status] ?? 0) + 1;
};

afterAll(() => {
  console.log(
    `faults: ${JSON.stringify({
      injected,
      cases: Object.values(injected).reduce((n, k) => n + k.throw + k.timeout, 0),
      terminalStatuses: terminal,
    })}`,
  );
});

/**
 * Makes `state` fail as `kind` (and, for RecordFailure, the Task that must fail first) for the
 * tenant while `act` runs; the faults are cleared however `act` ends.
 */
const withFault = async <T>(
  machine: Machine,
  state: string,
  kind: Kind,
  tenant: string,
  act: () => Promise<T>,
): Promise<T> => {
  const sm = `slipway-${machine}`;
  const states = state === 'RecordFailure' ? [FAILS_FIRST[machine], state] : [state];
  try {
    for (const s of states)
      await injectFault(
        sm,
        s,
        tenant,
        s === state ? faultFor(machine, s, kind) : faultFor(machine, s, 'throw'),
      );
    injected[machine][kind]++;
    return await act();
  } finally {
    for (const s of states) await injectFault(sm, s, tenant, 'clear');
  }
};

/** One service with a postDeploy and a preUndeploy script: every Map of both workflows runs once. */
const SERVICE_YAML = `
deployAs:
  - name: service-app
    applicationType: service
    endpoint: /service
    scripts:
      postDeploy: node post-deploy.js
      preUndeploy: node pre-undeploy.js
`;

/** A tenant of its own (faults are injected per tenant), its admin token and a project. */
const newCase = async () => {
  const tenant = newTenant();
  const token = await tokenFor(tenant, ['admin']);
  const projectKey = uniqueKey('fault');
  expect((await api('/projects', { token, body: { key: projectKey } })).status).toBe(201);
  return { tenant, token, projectKey };
};

type Case = Awaited<ReturnType<typeof newCase>>;

/** Deploys the one-service connector from an upload; `strictScripts`: a failing postDeploy fails it. */
const deploy = async ({ token, projectKey }: Case, extra: Record<string, unknown> = {}) => {
  const uploadId = await storeUpload(token, projectKey, zipBytes(connectorFiles(SERVICE_YAML)));
  const res = await api(`/${projectKey}/deployments`, {
    token,
    body: { artifact: { uploadId }, region: 'local', ...extra },
  });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
};

const read = async ({ token, projectKey }: Case, id: string) => {
  const res = await api(`/${projectKey}/deployments/${id}`, { token });
  expect(res.status).toBe(200);
  return res.json();
};

const remove = async ({ token, projectKey }: Case, id: string) => {
  const res = await api(`/${projectKey}/deployments/${id}`, { token, method: 'DELETE' });
  const body = await res.json();
  expect(res.status, JSON.stringify(body)).toBe(202);
  return body;
};

const errorEntries = (d: JsonBody): JsonBody[] =>
  d.details.build.report.entries.filter((e: JsonBody) => e.type === 'Error');

/**
 * The report tells a timeout from a failure: RecordFailure names the code, StepTimedOut for
 * States.Timeout. Not so where another rule words the entry: a postDeploy script's outcome
 * (failed, whatever ended it) and an operation the reaper finished ("did not finish").
 */
const expectFaultNamed = (d: JsonBody, state: string, kind: Kind) => {
  if (state === 'RecordFailure' || (d.status === 'Failed' && state === 'RunScript')) return;
  const titles = errorEntries(d).map((e) => String(e.title));
  if (kind === 'timeout') expect(titles).toContainEqual(expect.stringContaining('(StepTimedOut)'));
  else expect(titles.join('\n')).not.toContain('StepTimedOut');
};

/** The project's lock is free: a new deployment is accepted and reaches Deployed. */
const expectLockReleased = async (c: Case) => {
  const next = await deploy(c);
  expect(await operationEnd(next)).toBe('SUCCEEDED');
  expect((await read(c, next.id)).status).toBe('Deployed');
  return next;
};

it('covers every state machine there is', () => {
  const files = readdirSync(STATE_MACHINE_DIR).filter((f) => f.endsWith('.asl.json'));

  expect(files.map((f) => f.replace(/\.asl\.json$/, '')).sort()).toEqual([...MACHINES].sort());
});

// Each case runs one to three whole deployments on a machine that may be running other tests.
// Cases run a few at a time: each has its own tenant, project and faults, so none sees another's.
const CASE_TIMEOUT_MS = 90_000;

describe.concurrent('every Task of the deploy workflow', () => {
  for (const { state, kind } of cases('deploy')) {
    it(
      `${state}: ${kind === 'throw' ? 'throwing' : 'timing out'} ends Failed with an Error entry, nothing hosted, the lock released`,
      async () => {
        const c = await newCase();

        const created = await withFault('deploy', state, kind, c.tenant, async () => {
          // strictScripts: a failing postDeploy (RunScript) fails the deployment instead of
          // leaving Connect's Warning on a Deployed one (deployment-workflow.test.ts covers that).
          const d = await deploy(c, { strictScripts: true });
          expect(await operationEnd(d)).toBe('FAILED');
          return d;
        });
        // RecordFailure failing too ends the execution with the deployment still Deploying: the
        // reaper (every 30 s under npm start; tests run it) is what finishes it.
        if (state === 'RecordFailure') await reapDeployment(created.id);
        const after = await read(c, created.id);
        reached(`deploy ${after.status}`);

        expect(after.status).toBe('Failed');
        expect(errorEntries(after)).not.toEqual([]);
        expectFaultNamed(after, state, kind);
        expect(await hostedOf(created.id)).toEqual([]);
        await expectLockReleased(c);
      },
      CASE_TIMEOUT_MS,
    );
  }
});

describe.concurrent('every Task of the undeploy workflow', () => {
  for (const { state, kind } of cases('undeploy')) {
    it(
      `${state}: ${kind === 'throw' ? 'throwing' : 'timing out'} ends UndeployFailed with an Error entry, the lock released, the live build untouched`,
      async () => {
        const c = await newCase();
        const created = await deploy(c);
        expect(await operationEnd(created)).toBe('SUCCEEDED');

        const deleting = await withFault('undeploy', state, kind, c.tenant, async () => {
          const d = await remove(c, created.id);
          expect(await operationEnd(d)).toBe('FAILED');
          return d;
        });
        if (state === 'RecordFailure') await reapDeployment(created.id);
        const after = await read(c, created.id);
        reached(`undeploy ${after.status}`);

        expect(after.status).toBe('UndeployFailed');
        expect(errorEntries(after)).not.toEqual([]);
        expectFaultNamed(after, state, kind);
        // The deployment still exists and may still serve the build it ran, and nothing else:
        // the undeploy (an operation of its own, `deleting.details.build.id`) hosts nothing.
        const hosted = await hostedOf(created.id);
        expect(hosted.filter((h) => h.buildId !== created.details.build.id)).toEqual([]);
        expect(deleting.details.build.id).not.toBe(created.details.build.id);
        const next = await expectLockReleased(c);
        // Deleting it again goes through, and then nothing of it is left running.
        expect(await operationEnd(await remove(c, created.id))).toBe('SUCCEEDED');
        expect((await api(`/${c.projectKey}/deployments/${created.id}`, { token: c.token })).status).toBe(
          404,
        );
        expect(await hostedOf(created.id)).toEqual([]);
        expect(await operationEnd(await remove(c, next.id))).toBe('SUCCEEDED');
      },
      CASE_TIMEOUT_MS,
    );
  }
});

describe.concurrent('every Task of the publish-connector workflow', () => {
  let repo: GitFixture;

  beforeAll(() => {
    // A git source: the only kind whose publish runs every Task (FetchGitSource included).
    repo = gitRepository();
    repo.commitAndTag(connectorRepoFiles(SERVICE_YAML), 'v1.0.0');
  });

  const publish = async (token: string, draft: JsonBody) => {
    const res = await api(`/connectors/drafts/${draft.id}`, {
      token,
      body: { version: draft.version, actions: [{ action: 'publish', certification: false }] },
    });
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body;
  };

  for (const { state, kind } of cases('publish-connector')) {
    // RecordFailure failing too: the execution ends FAILED having recorded nothing; the next
    // read of the draft finds the execution over and records the publish as failed
    // (`getSettledConnectorDraft`), so the draft is not left Processing.
    it(
      `${state}: ${kind === 'throw' ? 'throwing' : 'timing out'} ends the draft Failed with an Error entry, and it publishes again`,
      async () => {
        const { tenant, token } = await newCase();
        const res = await api('/connectors/drafts', {
          token,
          body: {
            key: uniqueKey('conn'),
            name: 'Faulty',
            creator: { email: 'dev@example.com' },
            repository: { url: repo.url, tag: 'v1.0.0' },
          },
        });
        const draft = await res.json();
        expect(res.status, JSON.stringify(draft)).toBe(201);

        await withFault('publish-connector', state, kind, tenant, async () => {
          await publish(token, draft);
          const check = (await connectorDeps.connectors.getDraft(tenant, draft.id))?.publishRequest;
          if (!check) throw new Error('the publish recorded no request');
          return executionEnd('slipway-publish-connector', executionName(check));
        });
        const after = await (await api(`/connectors/drafts/${draft.id}`, { token })).json();
        reached(`publish ${after.status}`);

        expect(after.status).toBe('Failed');
        expect(after.publishingReport?.entries).toContainEqual(expect.objectContaining({ type: 'Error' }));
        // Nothing is left holding the draft: a new publish is accepted and goes through.
        await publish(token, after);
        await settle(tenant, draft.id);
        expect((await (await api(`/connectors/drafts/${draft.id}`, { token })).json()).status).toBe(
          'Published',
        );
      },
      CASE_TIMEOUT_MS,
    );
  }
});
