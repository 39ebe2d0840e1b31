/**
 * The build environment's entry point on AWS: a CodeBuild project runs `node jobs.mjs` (this
 * file, bundled) with the job's variables set by the state machine's `startBuild.sync` task.
 * `SLIPWAY_JOB` names the job (`build` or `script`); a build writes the folder it built to
 * `SLIPWAY_JOB_OUTPUT` for the buildspec to upload. Locally the same jobs run in process
 * (`functions/local/stack.ts`), so this file is only the shell around them.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeps } from '../adapters/build-deps.ts';
import { nodeEntryPoint, runScript } from '../core/build-rules.ts';
import { buildApplicationJob, runScriptJob } from './jobs.ts';

const env = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);

/**
 * Lambda starts a hosted application through the Web Adapter with `run.sh` (the handler the
 * hosting adapter sets): one is written unless the application brings its own.
 */
const writeRunScript = (dir: string) => {
  const run = join(dir, 'run.sh');
  if (existsSync(run)) return;
  const manifestFile = join(dir, 'package.json');
  const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : undefined;
  const entry = nodeEntryPoint(manifest, (file) => existsSync(join(dir, file)));
  if (!entry)
    throw new Error(
      `No Node entry point in ${env.APPLICATION ?? 'the application'}: give it a start script, main, server.js or index.js`,
    );
  writeFileSync(run, runScript(entry), { mode: 0o755 });
};

const main = async () => {
  switch (env.SLIPWAY_JOB) {
    case 'build': {
      const { BUNDLE } = await buildApplicationJob(buildDeps, env);
      if (env.APPLICATION_TYPE !== 'assets') writeRunScript(BUNDLE);
      writeFileSync(env.SLIPWAY_JOB_OUTPUT ?? 'bundle-dir.txt', BUNDLE);
      return;
    }
    case 'script':
      return runScriptJob(buildDeps, env);
    default:
      throw new Error(`SLIPWAY_JOB must be 'build' or 'script', got '${env.SLIPWAY_JOB ?? ''}'`);
  }
};

main().catch((error: unknown) => {
  // The job's own output is in the deployment's logs; this line is for the CodeBuild log.
  process.stderr.write(`${(error as Error).message}\n`);
  process.exit(1);
});
