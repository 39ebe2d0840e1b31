import { createStoreUpload, createUpload, getUpload } from '../core/uploads/uploads.ts';
import { schemasOf } from '../http/api-spec.ts';
import { apiHandler, operation } from '../http/pipeline.ts';
import { json } from '../http/responses.ts';
import { UPLOADS_API } from '../http/uploads-api.ts';
import { storeData, uploadSignatureView, uploadView } from '../http/views.ts';
import { pipelineDeps } from '../wiring/pipeline.ts';
import { uploadDeps } from '../wiring/uploads.ts';

export const handler = apiHandler(
  {
    'POST /{projectKey}/uploads': operation({
      ...schemasOf(UPLOADS_API, 'POST /{projectKey}/uploads'),
      run: async ({ body, pathParameters, principal }) => {
        const { upload, presigned } = await createUpload(
          uploadDeps,
          principal().tenant,
          pathParameters.projectKey ?? '',
          body,
        );
        return json(201, uploadSignatureView(upload, presigned));
      },
    }),
    'GET /{projectKey}/uploads/{uploadId}': operation({
      run: async ({ pathParameters: { projectKey = '', uploadId = '' }, principal }) =>
        json(200, uploadView(await getUpload(uploadDeps, principal().tenant, projectKey, uploadId))),
    }),
    // BigCommerce's upload signature: for the store, named by a project only when deployed.
    'POST /stores/{store_hash}/v3/infrastructure/deployments/uploads': operation({
      run: async ({ principal }) => {
        const { upload, presigned } = await createStoreUpload(uploadDeps, principal().tenant);
        return json(200, storeData({ upload_url: presigned.url, upload_uuid: upload.id }));
      },
    }),
  },
  [],
  pipelineDeps,
);
