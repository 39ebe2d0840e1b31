/**
 * `npm run bench:deploy` (P2): create → `Deployed` of `examples/connector` through Slipway
 * (the API, the deploy state machine, the build job, local hosting, the postDeploy script)
 * against the same work done directly by one script (unzip, build, start each process app until
 * it answers, copy the assets, run the postDeploy script), in alternating rounds of one run.
 * Target: <= 1.3. Also the state transitions of one deployment (target: <= 12), read from its
 * execution history.
 *
 * Writes its section of BENCHMARKS.md.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { unzipSync, zipSync } from 'fflate';
import { parse } from 'yaml';
import { benchToken, median, withBenchStack, writeSection } from './lib.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.POWERTOOLS_LOG_LEVEL = 'WARN';

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of the API
type Json = any;

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const EXAMPLE = join(import.meta.dirname, '..', 'examples', 'connector');
const GREETING = 'Benchmark';

/** The example connector as a zip, as an upload or a CodeBuild source would hold it. */
const exampleZip = (): Uint8Array => {
  const files: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files[relative(EXAMPLE, path)] = readFileSync(path);
    }
  };
  walk(EXAMPLE);
  return zipSync(files);
};

interface Spec {
  deployAs: {
    name: string;
    applicationType: string;
    endpoint?: string;
    healthCheck?: { path: string };
    scripts?: { postDeploy?: string };
  }[];
}

const waitForExit = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

/** Asks until `url` answers (what local hosting does before it calls an app hosted). */
const untilAnswering = async (url: string) => {
  for (;;) {
    try {
      await (await fetch(url)).arrayBuffer();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
};

const freePort = async () => (await import('../functions/local/ports.ts')).freePort();

/** The same work without Slipway: what a deploy of the example does, done by hand in one script. */
const deployDirectly = async (zip: Uint8Array): Promise<number> => {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'slipway-direct-'));
  const processes: ChildProcess[] = [];
  try {
    for (const [name, bytes] of Object.entries(unzipSync(zip))) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    const spec = parse(readFileSync(join(dir, 'connect.yaml'), 'utf8')) as Spec;
    let serviceUrl = '';
    for (const app of spec.deployAs) {
      const folder = join(dir, app.name);
      // The example declares no dependencies and no build script, so its build is nothing.
      if (app.applicationType === 'assets') {
        cpSync(folder, join(dir, '.served', app.name), { recursive: true });
        continue;
      }
      const port = await freePort();
      const child = spawn(process.execPath, ['server.js'], {
        cwd: folder,
        env: { PATH: process.env.PATH, PORT: String(port), GREETING },
        stdio: 'ignore',
        detached: true,
      });
      processes.push(child);
      const url = `http://127.0.0.1:${port}${app.endpoint ?? '/'}`;
      await untilAnswering(`http://127.0.0.1:${port}${app.healthCheck?.path ?? app.endpoint ?? '/'}`);
      if (app.applicationType === 'service') serviceUrl = url;
    }
    for (const app of spec.deployAs.filter((a) => a.scripts?.postDeploy)) {
      const [command = 'node', ...args] = String(app.scripts?.postDeploy).split(' ');
      const script = spawn(command, args, {
        cwd: join(dir, app.name),
        env: { PATH: process.env.PATH, CONNECT_SERVICE_URL: serviceUrl, GREETING },
        stdio: 'ignore',
      });
      if ((await waitForExit(script)) !== 0) throw new Error('the postDeploy script failed');
    }
    return performance.now() - started;
  } finally {
    for (const child of processes) if (child.pid) process.kill(-child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
};

const main = () =>
  withBenchStack(async (stack) => {
    const { authDeps } = await import('../functions/wiring/auth.ts');
    const { operationExecutionName } = await import('../functions/core/deployments/operations.ts');
    const { stateMachineArn, WAIT_HEADER } = await import('../functions/local/sfn-protocol.ts');
    const token = await benchToken(authDeps, 'benchtenant');
    const api = async (
      path: string,
      body?: unknown,
      method = body === undefined ? 'GET' : 'POST',
    ): Promise<Json> => {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? undefined : res.json();
    };
    const sfn = (operation: string, body: unknown, headers: Record<string, string> = {}) =>
      fetch(stack.env.AWS_ENDPOINT_URL_SFN ?? '', {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `AWSStepFunctions.${operation}`,
          authorization: `AWS4-HMAC-SHA256 Credential=${stack.env.AWS_ACCESS_KEY_ID}/local/states/aws4_request`,
          ...headers,
        },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const executionArn = (
      d: { id: string; details: { build: { id: string } } },
      operation: 'deploy' | 'undeploy',
    ) =>
      `${stateMachineArn(`slipway-${operation}`).replace(':stateMachine:', ':execution:')}:${operationExecutionName({ operation, deploymentId: d.id, operationId: d.details.build.id })}`;
    /** Waits for the operation's execution to end (the endpoint answers when it does: no polling). */
    const ended = async (
      d: { id: string; details: { build: { id: string } } },
      operation: 'deploy' | 'undeploy',
    ) => {
      const described = await sfn(
        'DescribeExecution',
        { executionArn: executionArn(d, operation) },
        { [WAIT_HEADER]: '120000' },
      );
      if (described.status !== 'SUCCEEDED') throw new Error(`${operation} ended ${String(described.status)}`);
    };

    // The example, published once from an upload (not measured).
    const zip = exampleZip();
    await api('/projects', { key: 'bench' });
    const upload = (await api('/bench/uploads', {})) as {
      id: string;
      url: string;
      headers: Record<string, string>;
    };
    await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: zip });
    // Storage reports the object to the upload-events function a moment after the PUT.
    for (let i = 0; (await api(`/bench/uploads/${upload.id}`)).status !== 'uploaded'; i++) {
      if (i > 100) throw new Error('the upload was never recorded');
      await new Promise((r) => setTimeout(r, 50));
    }
    const draft = await api('/connectors/drafts', {
      key: 'bench-greeter',
      name: 'Greeter',
      creator: { email: 'bench@example.com' },
      artifact: { projectKey: 'bench', uploadId: upload.id },
    });
    await api('/connectors/drafts/key=bench-greeter', {
      version: draft.version,
      actions: [{ action: 'publish', certification: false }],
    });
    const { connectorDeps } = await import('../functions/wiring/connectors.ts');
    const { executionName } = await import('../functions/core/connectors/registry.ts');
    const check = (await connectorDeps.connectors.getDraft('benchtenant', draft.id))?.publishRequest;
    if (!check) throw new Error('the publish did not start');
    const publishArn = `${stateMachineArn('slipway-publish-connector').replace(':stateMachine:', ':execution:')}:${executionName(check)}`;
    await sfn('DescribeExecution', { executionArn: publishArn }, { [WAIT_HEADER]: '120000' });
    if ((await api('/connectors/drafts/key=bench-greeter')).status !== 'Published')
      throw new Error('publish failed');

    /** One deployment of the example, timed from the create request to its workflow's end. */
    const deployWithSlipway = async (round: number) => {
      const started = performance.now();
      const created = await api('/bench/deployments', {
        key: `round-${round}`,
        connector: { key: 'bench-greeter' },
        region: 'local',
        configurations: [
          { applicationName: 'service', standardConfiguration: [{ key: 'GREETING', value: GREETING }] },
        ],
      });
      await ended(created, 'deploy');
      const elapsed = performance.now() - started;
      const deployed = await api(`/bench/deployments/${created.id}`);
      if (deployed.status !== 'Deployed') throw new Error(`round ${round}: ${deployed.status}`);
      return { elapsed, deployed };
    };

    // Warm-up (not counted): both sides once.
    const warm = await deployWithSlipway(0);
    const history = await sfn('GetExecutionHistory', {
      executionArn: executionArn(warm.deployed, 'deploy'),
      maxResults: 1000,
    });
    if (process.env.BENCH_DEBUG) {
      const events = history.events as {
        type: string;
        timestamp: number;
        stateEnteredEventDetails?: { name: string };
        stateExitedEventDetails?: { name: string };
      }[];
      const t0 = events[0]?.timestamp ?? 0;
      for (const e of events)
        process.stderr.write(
          `${((e.timestamp - t0) * 1000).toFixed(0).padStart(6)} ${e.type} ${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? ''}\n`,
        );
    }
    const events = history.events as {
      type: string;
      timestamp: number;
      stateEnteredEventDetails?: { name: string };
      stateExitedEventDetails?: { name: string };
    }[];
    const entered = events
      .filter((e) => e.type.endsWith('StateEntered'))
      .map((e) => e.stateEnteredEventDetails?.name ?? '?');
    // What one deployment costs, by kind of Task (the inputs of docs/aws.md's cost table): each
    // Task's time from entered to exited, a Lambda invocation or a CodeBuild build by its resource.
    const { taskStates } = await import('../functions/local/sfn-history.ts');
    const definition = JSON.parse(
      readFileSync(join(import.meta.dirname, '..', 'statemachine', 'deploy.asl.json'), 'utf8'),
    );
    const resourceOf = new Map(taskStates(definition));
    const tasks = { lambda: { count: 0, ms: 0 }, codebuild: { count: 0, ms: 0 } };
    const open = new Map<string, number[]>();
    for (const e of events) {
      if (e.type === 'TaskStateEntered' && e.stateEnteredEventDetails)
        open.set(e.stateEnteredEventDetails.name, [
          ...(open.get(e.stateEnteredEventDetails.name) ?? []),
          e.timestamp,
        ]);
      if (e.type === 'TaskStateExited' && e.stateExitedEventDetails) {
        const name = e.stateExitedEventDetails.name;
        const started = open.get(name)?.shift() ?? e.timestamp;
        const kind = String(resourceOf.get(name)).includes('codebuild') ? tasks.codebuild : tasks.lambda;
        kind.count += 1;
        kind.ms += (e.timestamp - started) * 1000;
      }
    }
    await ended(await api(`/bench/deployments/${warm.deployed.id}`, undefined, 'DELETE'), 'undeploy');
    await deployDirectly(zip);

    const rows: { slipway: number; direct: number }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const { elapsed, deployed } = await deployWithSlipway(round);
      await ended(await api(`/bench/deployments/${deployed.id}`, undefined, 'DELETE'), 'undeploy');
      rows.push({ slipway: elapsed, direct: await deployDirectly(zip) });
    }
    const ratio = median(rows.map((r) => r.slipway / r.direct));
    const counts = new Map<string, number>();
    for (const name of entered) counts.set(name, (counts.get(name) ?? 0) + 1);
    writeSection(
      '## Deploying the example connector (`npm run bench:deploy`)',
      [
        '## Deploying the example connector (`npm run bench:deploy`)',
        '',
        `create → \`Deployed\` of \`examples/connector\` (a service, an event app, a job, static assets, one postDeploy script) through Slipway, against the same work done directly by one script: unzip, build (nothing to install for this example), start each process app until it answers, copy the assets, run the postDeploy script. ${ROUNDS} alternating rounds after a warm-up of each, in-memory DynamoDB Local, measured ${new Date().toISOString().slice(0, 10)} on this machine (${process.version}, ${cpus().length} cores).`,
        '',
        '| round | Slipway ms | direct ms | ratio |',
        '|---|---:|---:|---:|',
        ...rows.map(
          (r, i) =>
            `| ${i + 1} | ${r.slipway.toFixed(0)} | ${r.direct.toFixed(0)} | ${(r.slipway / r.direct).toFixed(2)} |`,
        ),
        '',
        `**Median ratio: ${ratio.toFixed(2)}** (target <= 1.3).`,
        '',
        `**State transitions of one deployment: ${entered.length}** (target <= 12): ${[...counts].map(([name, n]) => (n > 1 ? `${name} ×${n}` : name)).join(', ')}.`,
        '',
        `Per deployment (the warm-up's execution): ${tasks.lambda.count} Lambda invocations (${tasks.lambda.ms.toFixed(0)} ms in all here), ${tasks.codebuild.count} CodeBuild jobs (builds and scripts; ${tasks.codebuild.ms.toFixed(0)} ms in all here). docs/aws.md prices these counts.`,
        '',
        'Both targets are missed. The time is the price of what the direct script does not do: every step is a Lambda invocation through the ASL interpreter that reads the deployment, checks it still runs this operation, writes it conditionally and appends to its trail (the transitions above, each a few to some tens of milliseconds here), and each build and script is a job of its own that copies its inputs out of and its outputs back into the bucket. The transitions: one per application in each Map is deliberate (hosting one application per invocation keeps each inside the function’s time limit on AWS, and one at a time so a failure’s clean-up sees everything made), and so is one CodeBuild build per application (in parallel on AWS). Building every application in one CodeBuild job would take 4 transitions (and 3 provisionings) off; it is the next step, not taken yet. A success of a script no longer takes a state of its own (18 → 17); BuildOrRestore, the Choice that lets a rollback or promote skip building, adds one back (17 → 18).',
        '',
      ].join('\n'),
    );

    // Rollback to a kept build against a full deploy of the same deployment (a redeploy: the
    // same operation, with a build), in rounds: create (revision 1), redeploy with another
    // greeting (revision 2, timed: the deploy), roll back to revision 1 (timed: warm, its
    // processes still on standby), redeploy again (revision 4), roll back to revision 2 (timed:
    // cold, its processes long stopped, as after the standby window).
    const rollbacks: { deploy: number; warm: number; cold: number }[] = [];
    const redeploy = async (id: string, greeting: string) => {
      const current = await api(`/bench/deployments/${id}`);
      const started = performance.now();
      const redeployed = await api(`/bench/deployments/${id}`, {
        version: current.version,
        actions: [
          {
            action: 'redeploy',
            configurationValues: [
              { applicationName: 'service', standardConfiguration: [{ key: 'GREETING', value: greeting }] },
            ],
          },
        ],
      });
      await ended(redeployed, 'deploy');
      return performance.now() - started;
    };
    const rollBack = async (id: string, revision: number, round: number) => {
      const current = await api(`/bench/deployments/${id}`);
      const started = performance.now();
      const rolled = await api(`/bench/deployments/${id}/rollback`, { version: current.version, revision });
      await ended(rolled, 'deploy');
      const ms = performance.now() - started;
      if (process.env.BENCH_DEBUG) {
        const h = await sfn('GetExecutionHistory', {
          executionArn: executionArn(rolled, 'deploy'),
          maxResults: 1000,
        });
        const evs = h.events as {
          type: string;
          timestamp: number;
          stateEnteredEventDetails?: { name: string };
        }[];
        const t0 = evs[0]?.timestamp ?? 0;
        for (const e of evs)
          process.stderr.write(
            `${((e.timestamp - t0) * 1000).toFixed(0).padStart(6)} ${e.type} ${e.stateEnteredEventDetails?.name ?? ''}\n`,
          );
      }
      const after = await api(`/bench/deployments/${id}`);
      if (after.status !== 'Deployed' || after.rollbackRevision !== revision)
        throw new Error(`rollback round ${round}: ${after.status}`);
      return ms;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      const { deployed } = await deployWithSlipway(100 + round);
      const deploy = await redeploy(deployed.id, `${GREETING} again`);
      const warm = await rollBack(deployed.id, 1, round);
      await redeploy(deployed.id, `${GREETING} once more`);
      const cold = await rollBack(deployed.id, 2, round);
      rollbacks.push({ deploy, warm, cold });
      await ended(await api(`/bench/deployments/${deployed.id}`, undefined, 'DELETE'), 'undeploy');
    }
    const warmRatio = median(rollbacks.map((r) => r.warm / r.deploy));
    const coldRatio = median(rollbacks.map((r) => r.cold / r.deploy));
    writeSection(
      '## Rolling back to a kept build (`npm run bench:deploy`)',
      [
        '## Rolling back to a kept build (`npm run bench:deploy`)',
        '',
        `A rollback of \`examples/connector\` to a revision whose build is kept (no build step, no postDeploy) against a full deploy of the same deployment (a redeploy: download, unzip, build each application, host, postDeploy), all timed from the request to the workflow's end, ${ROUNDS} rounds in the same run as the sections above. **Warm**: right after the redeploy, so the replaced build's processes still wait on standby (\`SLIPWAY_STANDBY_SECONDS\`, 10 minutes by default) and the rollback switches the address back to them. **Cold**: to a build whose processes were stopped (as after the standby window), so every application is started again.`,
        '',
        '| round | full deploy ms | warm rollback ms | ratio | cold rollback ms | ratio |',
        '|---|---:|---:|---:|---:|---:|',
        ...rollbacks.map(
          (r, i) =>
            `| ${i + 1} | ${r.deploy.toFixed(0)} | ${r.warm.toFixed(0)} | ${(r.warm / r.deploy).toFixed(2)} | ${r.cold.toFixed(0)} | ${(r.cold / r.deploy).toFixed(2)} |`,
        ),
        '',
        `**Median ratio, warm: ${warmRatio.toFixed(2)}** (target <= 0.33: a rollback at most a third of a deploy; ${warmRatio <= 1 / 3 ? 'met' : 'missed'}). Cold: ${coldRatio.toFixed(2)} (${coldRatio <= 1 / 3 ? 'met' : 'missed'}).`,
        '',
        'A rollback skips the build: downloading and unzipping the artifact, one build job per application, and postDeploy. A warm one also skips starting the applications: what is left is the workflow itself (its steps and writes) and switching the address. A cold one starts every application at once and waits until each answers. The example declares no dependencies, so its builds install nothing and a full deploy here is little more than a cold rollback does: a connector whose build installs packages spends seconds to minutes in the part every rollback skips.',
        '',
      ].join('\n'),
    );
    if (!existsSync(EXAMPLE)) throw new Error('examples/connector is missing');
  });

await main();
