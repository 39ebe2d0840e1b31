import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  APPLICATION_RUN_SCRIPT,
  BRIDGE_FILE,
  eventRunScript,
  nodeEntryPoint,
  runScript,
} from '../core/hosting/build-rules.ts';

/**
 * Lambda starts a hosted application through the Web Adapter with `run.sh` (the handler the
 * hosting adapter sets): one is written into the built folder `dir` unless the application
 * brings its own. An event application starts behind the Pub/Sub bridge (`bridgeBundle`, the
 * bundle of `pubsub-bridge.ts`, copied into the folder), which then starts the application's
 * own `run.sh` (renamed) or its entry point.
 */
export const writeRunScript = (
  dir: string,
  application: { name: string; type: string },
  bridgeBundle: string,
): void => {
  const run = join(dir, 'run.sh');
  const entryPoint = (): string => {
    const manifestFile = join(dir, 'package.json');
    const manifest = existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : undefined;
    const entry = nodeEntryPoint(manifest, (file) => existsSync(join(dir, file)));
    if (!entry)
      throw new Error(
        `No Node entry point in ${application.name}: give it a start script, main, server.js or index.js`,
      );
    return entry;
  };
  if (application.type !== 'event') {
    if (!existsSync(run)) writeFileSync(run, runScript(entryPoint()), { mode: 0o755 });
    return;
  }
  let start = ['sh', APPLICATION_RUN_SCRIPT];
  if (existsSync(run)) renameSync(run, join(dir, APPLICATION_RUN_SCRIPT));
  else start = ['node', entryPoint()];
  mkdirSync(dirname(join(dir, BRIDGE_FILE)), { recursive: true });
  copyFileSync(bridgeBundle, join(dir, BRIDGE_FILE));
  writeFileSync(run, eventRunScript(start), { mode: 0o755 });
};
