/**
 * PUT of an artifact to a presigned URL, reporting bytes as the socket takes them (fetch
 * reports nothing while a body goes out). Storage answers in its own words (S3's XML), so a
 * refusal is shown as its status and first line.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { CliError, EXIT } from './errors.ts';

/** Chunks small enough for the bar to move smoothly, large enough to cost nothing. */
const CHUNK = 64 * 1024;

export const putArtifact = (
  url: string,
  headers: Record<string, string>,
  body: Uint8Array,
  onProgress: (sent: number) => void,
): Promise<void> =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
      method: 'PUT',
      // The signature covers these headers: send exactly them (and the length the body has).
      headers: { ...headers, 'content-length': String(body.length) },
    });
    request.on('error', (error) =>
      reject(new CliError(`The upload failed: ${error.message}.`, EXIT.failed, 'Try again.')),
    );
    request.on('response', (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else
          reject(
            new CliError(
              `Storage refused the upload (${status}): ${text.split('\n').slice(0, 2).join(' ').slice(0, 300)}`,
              EXIT.failed,
              'Upload URLs are valid for 15 minutes and take exactly the bytes they were signed for: run the command again.',
            ),
          );
      });
    });
    let sent = 0;
    const writeMore = () => {
      while (sent < body.length) {
        const chunk = body.subarray(sent, sent + CHUNK);
        sent += chunk.length;
        const more = request.write(chunk);
        onProgress(sent);
        if (!more) {
          request.once('drain', writeMore);
          return;
        }
      }
      request.end();
    };
    writeMore();
  });
