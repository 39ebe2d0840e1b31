/**
 * The build environment's entry point on AWS: a CodeBuild project runs `node jobs.mjs` (this
 * file, bundled) with the job's variables set by the state machine's `startBuild.sync` task.
 * `SLIPWAY_JOB` names the job (`build` or `script`); a build writes the folder it built to
 * `SLIPWAY_JOB_OUTPUT` for the buildspec to upload. Locally the same jobs run in process
 * (`functions/local/stack.ts`), so this file is only the shell around them.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDeps } from '../wiring/builds.ts';
import { buildApplicationJob, runScriptJob } from './jobs.ts';
import { writeRunScript } from './run-script.ts';

const env = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);

const main = async () => {
  switch (env.SLIPWAY_JOB) {
    case 'build': {
      const { BUNDLE } = await buildApplicationJob(buildDeps, env);
      const application = { name: env.APPLICATION ?? 'the application', type: env.APPLICATION_TYPE ?? '' };
      // The CodeBuild source holds both bundles: this one and the bridge.
      if (application.type !== 'assets')
        writeRunScript(BUNDLE, application, join(import.meta.dirname, 'pubsub-bridge.mjs'));
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
