import type { DeploymentLog } from '../core/deployments/model.ts';
import type { DeploymentLogRepository } from '../core/deployments/ports.ts';
import { MAX_LOG_LINE } from '../core/hosting/build-rules.ts';
import type { Clock } from '../core/shared/clock.ts';

/**
 * Output lines of a build, script or hosted application, batched into the deployment's logs.
 * Lines are redacted by the caller; they are cut to `MAX_LOG_LINE` here.
 */
export const logSink = (
  deps: { logs: DeploymentLogRepository; clock: Clock },
  deploymentId: string,
  applicationName: string,
) => {
  let batch: DeploymentLog[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = () => {
    const entries = batch;
    batch = [];
    if (entries.length > 0) writing = writing.then(() => deps.logs.append(entries)).catch(() => undefined);
    return writing;
  };
  return {
    line(message: string, severity: DeploymentLog['severity'] = 'INFO') {
      batch.push({
        type: 'APPLICATION_TEXT',
        deploymentId,
        applicationName,
        severity,
        timestamp: deps.clock.now().toISOString(),
        details: { message: message.length > MAX_LOG_LINE ? `${message.slice(0, MAX_LOG_LINE)}…` : message },
      });
      if (batch.length >= 25) void flush();
    },
    flush,
  };
};
