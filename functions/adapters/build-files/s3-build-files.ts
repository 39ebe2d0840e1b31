import { DeleteObjectsCommand, paginateListObjectsV2, S3Client } from '@aws-sdk/client-s3';
import { awsClientDefaults } from '../../config.ts';
import type { BuildFiles } from '../../core/deployments/retention.ts';

const s3 = new S3Client(awsClientDefaults());

/**
 * On AWS a build leaves its applications under `deployments/<id>/builds/<build id>/` in the
 * artifacts bucket (`infra/constructs/artifact-keys.ts`): a zip per application, the files of
 * an assets application. Hosted functions were created from copies, so removing these never
 * touches what runs.
 */
export const s3BuildFiles = (bucket: () => string): BuildFiles => {
  const removeUnder = async (Prefix: string) => {
    for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket(), Prefix })) {
      const objects = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
      if (objects.length > 0)
        await s3.send(
          new DeleteObjectsCommand({ Bucket: bucket(), Delete: { Objects: objects, Quiet: true } }),
        );
    }
  };
  return {
    discard: ({ deploymentId, buildId }) => removeUnder(`deployments/${deploymentId}/builds/${buildId}/`),
    discardAll: (deploymentId) => removeUnder(`deployments/${deploymentId}/builds/`),
  };
};
