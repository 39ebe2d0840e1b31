import { CopyObjectCommand, DeleteObjectsCommand, paginateListObjectsV2 } from '@aws-sdk/client-s3';
import { ApplicationHostingFailed } from '../../../core/hosting/errors.ts';
import type { HostedApplication, HostingRequest } from '../../../core/hosting/ports.ts';
import { s3 } from './clients.ts';
import type { AwsHostingSettings } from './settings.ts';

const COPY_CONCURRENCY = 16;

const inBatches = async <T>(items: T[], size: number, work: (item: T) => Promise<unknown>) => {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(work));
};

/**
 * An assets application: its files copied from the artifacts bucket into the hosted-assets
 * bucket, which a CloudFront distribution serves. Its `bundle` is a prefix (ending in `/`) of
 * the already-extracted files, since S3 cannot unzip: the build job on AWS uploads them so.
 */
export const hostAssets = async (
  settings: AwsHostingSettings,
  request: HostingRequest,
): Promise<HostedApplication> => {
  const source = request.bundle;
  if (!source.endsWith('/'))
    throw new ApplicationHostingFailed(
      request.applicationName,
      `an assets bundle must be a prefix of extracted files ending in '/', not '${source}'`,
    );
  const destination = `${settings.assetsPrefix}${request.deploymentId}/${request.applicationName}/`;
  let copied = 0;
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: settings.bucket, Prefix: source },
  )) {
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key && !o.Key.endsWith('/') ? [o.Key] : []));
    await inBatches(keys, COPY_CONCURRENCY, (key) =>
      s3.send(
        new CopyObjectCommand({
          Bucket: settings.assetsBucket,
          Key: `${destination}${key.slice(source.length)}`,
          CopySource: `${settings.bucket}/${key.split('/').map(encodeURIComponent).join('/')}`,
        }),
      ),
    );
    copied += keys.length;
  }
  if (copied === 0)
    throw new ApplicationHostingFailed(request.applicationName, `there are no files under '${source}'`);
  // The distribution maps a path to the key of the same name and a path ending in `/` to its
  // index.html, so the destination prefix is the application's URL.
  const path = destination.split('/').map(encodeURIComponent).join('/');
  return { url: `${settings.assetsBaseUrl.replace(/\/+$/, '')}/${path}` };
};

/** Deletes every hosted asset of the deployment. */
export const removeAssets = async (settings: AwsHostingSettings, deploymentId: string) => {
  for await (const page of paginateListObjectsV2(
    { client: s3 },
    { Bucket: settings.assetsBucket, Prefix: `${settings.assetsPrefix}${deploymentId}/` },
  )) {
    const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (objects.length === 0) continue;
    const out = await s3.send(
      new DeleteObjectsCommand({
        Bucket: settings.assetsBucket,
        Delete: { Objects: objects, Quiet: true },
      }),
    );
    const failed = out.Errors ?? [];
    if (failed.length > 0)
      throw new Error(
        `Could not delete ${failed.length} hosted assets of deployment ${deploymentId}: ${failed[0]?.Code}`,
      );
  }
};
