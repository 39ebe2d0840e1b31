/**
 * `slipway deploy [dir]`: the folder packed, uploaded through a presigned URL, deployed as a
 * new deployment or as a redeploy of the one with that key (Slipway's `artifact` extension,
 * docs/connect-api.md), and followed to its end.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type Api, unwrap } from '../api/client.ts';
import type { Deployment, Upload, UploadSlot } from '../api/types.ts';
import { action, examples } from '../command.ts';
import type { Context } from '../context.ts';
import { ApiError, CliError, EXIT, type ExitCode } from '../errors.ts';
import { followDeployment } from '../follow.ts';
import { checkValuesAgainstFolder } from '../manifest.ts';
import { formatBytes, plural } from '../output.ts';
import { type Packed, packFolder, tooLarge } from '../pack.ts';
import { assertProject, findDeployment } from '../reads.ts';
import { putArtifact } from '../upload.ts';
import { type ApplicationValues, applicationValues, checkedKey, collect } from '../values.ts';

export interface DeployOptions {
  key: string;
  app?: string[];
  secret?: string[];
  wait: boolean;
  region: string;
  skipScripts?: boolean;
}

/** The region a new deployment names when `--region` does not: one every server serves by default. */
export const DEFAULT_REGION = 'europe-west1.gcp';

const IN_PROGRESS = new Set(['Queued', 'Deploying', 'Undeploying']);

/**
 * Storage reports the PUT to the server a moment after it answers (an event, not the PUT's
 * answer): until then a deployment cannot claim the upload.
 */
const untilUploaded = async (api: Api, projectKey: string, uploadId: string) => {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const upload = await unwrap<Upload>(
      api.GET('/{projectKey}/uploads/{uploadId}', { params: { path: { projectKey, uploadId } } }),
    );
    if (upload.status !== 'pending') return upload;
    if (Date.now() > deadline)
      throw new CliError('Storage has not reported the upload after 30 s.', EXIT.failed, 'Try again.');
    await sleep(50);
  }
};

/** Asks for an upload slot for the zip, refusing it before any byte is sent when it is too large. */
const uploadSlot = async (api: Api, projectKey: string, dir: string, packed: Packed) => {
  try {
    const slot = await unwrap<UploadSlot>(
      api.POST('/{projectKey}/uploads', {
        params: { path: { projectKey } },
        body: { size: packed.zip.length, sha256: packed.sha256 },
      }),
    );
    if (packed.zip.length > slot.maxSize) throw tooLarge(dir, packed.zip.length, slot.maxSize);
    return slot;
  } catch (error) {
    if (error instanceof ApiError && error.code === 'UploadTooLarge') {
      const maxSize = (error.body as { errors?: { maxSize?: number }[] }).errors?.[0]?.maxSize;
      throw tooLarge(dir, packed.zip.length, maxSize ?? 0);
    }
    throw error;
  }
};

/** Packs, uploads (with a progress bar on a terminal) and returns the upload's id. */
export const uploadFolder = async (ctx: Context, api: Api, dir: string): Promise<string> => {
  const projectKey = ctx.project;
  const packed = packFolder(dir, { required: 'connect.yaml' });
  ctx.out.step(
    `Packed ${plural(packed.files.length, 'file')} from ${dir} (${formatBytes(packed.zip.length)})`,
  );
  const slot = await uploadSlot(api, projectKey, dir, packed);
  const progress = ctx.out.progress('Uploading', packed.zip.length);
  try {
    await putArtifact(slot.url, slot.headers, packed.zip, (sent) => progress.update(sent));
  } finally {
    progress.stop();
  }
  await untilUploaded(api, projectKey, slot.id);
  return slot.id;
};

/** Create (with an Idempotency-Key, so a retried request deploys once) or redeploy from the upload. */
const startDeployment = async (
  ctx: Context,
  api: Api,
  options: DeployOptions,
  existing: Deployment | undefined,
  uploadId: string,
  values: ApplicationValues[],
) => {
  const projectKey = ctx.project;
  const headers = { 'idempotency-key': randomUUID() };
  const inProgress = {
    409: `slipway status ${options.key} shows what runs now; slipway cancel ${options.key} stops it.`,
  };
  if (!existing) {
    return unwrap<Deployment>(
      api.POST('/{projectKey}/deployments', {
        params: { path: { projectKey } },
        headers,
        body: { key: options.key, artifact: { uploadId }, region: options.region, configurations: values },
      }),
      inProgress,
    );
  }
  return unwrap<Deployment>(
    api.POST('/{projectKey}/deployments/{deploymentRef}', {
      params: { path: { projectKey, deploymentRef: existing.id } },
      headers: { ...headers, 'if-match': `"${existing.version}"` },
      body: {
        version: existing.version,
        actions: [
          {
            action: 'redeploy',
            artifact: { uploadId },
            skipScripts: options.skipScripts ?? false,
            ...(values.length ? { configurationValues: values } : {}),
          },
        ],
      },
    }),
    inProgress,
  );
};

const deploy = async (ctx: Context, dir: string | undefined, options: DeployOptions): Promise<ExitCode> => {
  const folder = dir ?? '.';
  // Arguments first: a typo fails before anything is packed or sent.
  checkedKey('--key', options.key);
  const values = applicationValues(options.app, options.secret);
  checkValuesAgainstFolder(values, folder);
  const projectKey = ctx.project;
  const api = await ctx.connect();
  await assertProject(api, projectKey);
  const existing = await findDeployment(api, projectKey, options.key);
  if (existing && IN_PROGRESS.has(existing.status))
    throw new CliError(
      `${options.key} is ${existing.status}: one operation at a time.`,
      EXIT.failed,
      `Wait for it (slipway status ${options.key}), or stop it with slipway cancel ${options.key}.`,
    );
  const uploadId = await uploadFolder(ctx, api, folder);
  const started = await startDeployment(ctx, api, options, existing, uploadId, values);
  ctx.out.step(
    existing
      ? `Redeploying ${options.key} from the new upload (version ${started.version})`
      : `Created deployment ${options.key} (${started.id})`,
  );
  if (!options.wait) {
    ctx.out.result(started);
    ctx.out.line(`${options.key} is ${started.status}: slipway status ${options.key} shows how it goes.`);
    return EXIT.ok;
  }
  return followDeployment(ctx, api, started);
};

/** `--app` and `--secret`, shared with `redeploy`. */
export const valueOptions = (command: Command) =>
  command
    .option('--app <app.KEY=value>', 'a standard configuration value of an application (repeatable)', collect)
    .option(
      '--secret <app.KEY=value>',
      'a secured configuration value (repeatable; write-only, never shown)',
      collect,
    );

export const registerDeploy = (program: Command) => {
  const command = program
    .command('deploy [dir]')
    .description('pack a folder (with connect.yaml), upload it, deploy it under a key, and follow it')
    .requiredOption('-k, --key <key>', 'the deployment’s key: created when new, redeployed when it exists')
    .option(
      '--region <region>',
      'the region of a new deployment',
      process.env.SLIPWAY_REGION ?? DEFAULT_REGION,
    )
    .option('--skip-scripts', 'when redeploying, do not run the postDeploy scripts')
    .option('--no-wait', 'return once the deployment is queued, without following it');
  valueOptions(command).action(action(deploy));
  examples(command, [
    'slipway deploy examples/connector --project my-shop --key greeter',
    'slipway deploy . --key greeter --app service.GREETING=Hi --secret service.API_TOKEN="$TOKEN"',
    'slipway deploy --key greeter --no-wait --json',
  ]);
};
