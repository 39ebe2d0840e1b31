import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { publishConsole } from '../core/console/publish.ts';
import { logger } from '../http/logger.ts';
import { consoleSitePorts } from '../wiring/console-site.ts';

/**
 * On AWS only (`npm start` serves the console itself): the custom resource that publishes the
 * web console to the hosted-assets bucket when the stack is deployed with a new release of it
 * (the release's hash is the resource's property). Deleting the resource leaves the files: the
 * bucket's own removal policy decides. CloudFormation is told the outcome at its presigned URL.
 */
export const handler = async (event: CloudFormationCustomResourceEvent): Promise<void> => {
  let status: 'SUCCESS' | 'FAILED' = 'SUCCESS';
  let reason = 'ok';
  try {
    if (event.RequestType !== 'Delete') {
      const release = String(event.ResourceProperties.Release ?? event.RequestId);
      const count = await publishConsole(consoleSitePorts, release);
      logger.info('console published', { release, files: count });
    }
  } catch (error) {
    status = 'FAILED';
    reason = `Publishing the console failed: ${(error as Error).message}`;
    logger.error('console publish failed', { error: error as Error });
  }
  const answer = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '' },
    body: JSON.stringify({
      Status: status,
      Reason: reason,
      PhysicalResourceId: 'slipway-console',
      StackId: event.StackId,
      RequestId: event.RequestId,
      LogicalResourceId: event.LogicalResourceId,
    }),
  });
  if (!answer.ok) throw new Error(`CloudFormation refused the answer: HTTP ${answer.status}`);
};
