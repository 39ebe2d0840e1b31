import { ApiError, api, read } from './client.ts';
import type { Upload, UploadSignature } from './types.ts';

/** PUTs `file` to a presigned URL with exactly the signed headers, reporting progress. */
const putFile = (signature: UploadSignature, file: File, onProgress: (sent: number) => void) =>
  new Promise<void>((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(signature.method, signature.url);
    // The browser sets Content-Length itself (and refuses to be told it): the file's size,
    // which is what was signed.
    for (const [name, value] of Object.entries(signature.headers))
      if (name.toLowerCase() !== 'content-length') request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () =>
      request.status >= 200 && request.status < 300
        ? resolve()
        : reject(new ApiError(request.status, `Storage refused the upload (HTTP ${request.status}).`));
    request.onerror = () =>
      reject(new ApiError(0, 'The upload could not reach storage (a network or CORS error).'));
    request.send(file);
  });

/** Storage's event marks the upload received a moment after the PUT: wait for it (≤ 15 s). */
const untilUploaded = async (projectKey: string, uploadId: string): Promise<void> => {
  for (let attempt = 0; attempt < 75; attempt++) {
    const upload = await read<Upload>(
      api.GET('/{projectKey}/uploads/{uploadId}', { params: { path: { projectKey, uploadId } } }),
    );
    if (upload.status === 'uploaded') return;
    if (upload.status !== 'pending') throw new ApiError(400, `The upload is ${upload.status}.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new ApiError(504, 'Storage did not confirm the upload in time; try again.');
};

/**
 * Uploads a zip to the project (`POST /{projectKey}/uploads`, then a PUT of the bytes to the
 * presigned URL, straight to storage) and resolves with the upload's id once storage has
 * confirmed it.
 */
export const uploadZip = async (
  projectKey: string,
  file: File,
  onProgress: (sent: number) => void,
): Promise<string> => {
  const signature = await read<UploadSignature>(
    api.POST('/{projectKey}/uploads', {
      params: { path: { projectKey } },
      body: { contentType: 'application/zip', size: file.size },
    }),
  );
  await putFile(signature, file, onProgress);
  await untilUploaded(projectKey, signature.id);
  return signature.id;
};
