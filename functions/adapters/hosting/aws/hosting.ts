import { redactor } from '../../../core/hosting/build-rules.ts';
import { ApplicationHostingFailed } from '../../../core/hosting/errors.ts';
import type { ApplicationHosting, HostingRequest } from '../../../core/hosting/ports.ts';
import { hostAssets, removeAssets } from './assets.ts';
import { findResources } from './cleanup.ts';
import { hostEvent, removeQueue, removeTopic } from './event.ts';
import { removeFunction, sdkWaitUntilReady } from './functions.ts';
import { scheduleHealthProbe } from './health.ts';
import { hostJob, removeSchedules } from './job.ts';
import { nameOf } from './resources.ts';
import { removeDeploymentRole } from './roles.ts';
import { hostService } from './service.ts';
import type { AwsHostingContext, AwsHostingOptions, AwsHostingSettings } from './settings.ts';

/**
 * Hosting on AWS: every service, event and job application is a Lambda function running its
 * own HTTP server behind the AWS Lambda Web Adapter (`./functions.ts`); a service gets a public
 * function URL (`./service.ts`), an event application an SNS topic feeding an SQS queue mapped
 * to the function (`./event.ts`), a job an EventBridge Scheduler schedule invoking the function
 * (`./job.ts`); one that declares a health check gets a schedule invoking the health probe
 * (`./health.ts`). Assets are copied from the artifacts bucket into the hosted-assets bucket,
 * which a CloudFront distribution serves (`./assets.ts`).
 *
 * Every name is derived from the deployment, build and application, and everything is tagged
 * with them (`./resources.ts`), so a retried step finds what an earlier attempt made and `stop`
 * finds it again (`./cleanup.ts`). Each deployment's functions run as a role of their own,
 * allowed only the deployment's queues, log groups and secured configuration (`./roles.ts`).
 */

export { toAwsCron } from './cron.ts';
export type { AwsHostingOptions, AwsHostingSettings } from './settings.ts';

const MAX_REASON = 1_000;

/** Any failure as `ApplicationHostingFailed`, its reason cleared of every environment value. */
const hostingFailed = (request: HostingRequest, error: unknown): ApplicationHostingFailed => {
  if (error instanceof ApplicationHostingFailed) return error;
  const e = error as Error;
  const reason = e.name && e.name !== 'Error' ? `${e.name}: ${e.message}` : e.message;
  const redact = redactor([
    ...(request.secretValues ?? []),
    // Shorter values cannot carry a secret and would mangle the reason.
    ...Object.values(request.environment).filter((value) => value.length >= 4),
  ]);
  return new ApplicationHostingFailed(request.applicationName, redact(reason).slice(0, MAX_REASON));
};

/**
 * The AWS hosting adapter (see the module comment). An assets application's `bundle` is a
 * prefix (ending in `/`) of the already-extracted files in the bucket, since S3 cannot unzip:
 * the build job on AWS uploads them so; the others' bundle is the key of the built zip.
 */
export const awsHosting = (
  settings: AwsHostingSettings,
  options: AwsHostingOptions = {},
): ApplicationHosting => {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,23}$/.test(settings.namePrefix))
    throw new Error('The hosting name prefix must be 1 to 24 letters, digits or "-"');
  if (settings.assetsPrefix !== '' && !settings.assetsPrefix.endsWith('/'))
    throw new Error('The hosted assets prefix must end with "/"');
  const context: AwsHostingContext = {
    settings,
    waitUntilReady: options.waitUntilReady ?? sdkWaitUntilReady,
    sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  const { namePrefix } = settings;

  return {
    async host(request) {
      try {
        const name = nameOf(namePrefix, request);
        switch (request.applicationType) {
          case 'service':
          case 'event': {
            const hosted = await (request.applicationType === 'service' ? hostService : hostEvent)(
              context,
              request,
              name,
            );
            await scheduleHealthProbe(context, request, name);
            return hosted;
          }
          case 'job':
            return await hostJob(context, request, name);
          case 'assets':
            return await hostAssets(settings, request);
          default:
            throw new ApplicationHostingFailed(
              request.applicationName,
              `application type '${String(request.applicationType)}' cannot be hosted on AWS`,
            );
        }
      } catch (error) {
        throw hostingFailed(request, error);
      }
    },

    async stop(target) {
      // Schedules first, so no job fires at a function being deleted.
      await removeSchedules(namePrefix, target);
      const { functions, topics, queues } = await findResources(namePrefix, target);
      for (const name of functions.keys()) await removeFunction(name);
      for (const arn of topics) await removeTopic(arn);
      for (const name of queues) await removeQueue(name);
      if (target.buildId === undefined && target.exceptBuildId === undefined) {
        await removeAssets(settings, target.deploymentId);
        // Last, once none of the deployment's functions runs as it.
        await removeDeploymentRole(namePrefix, target.deploymentId);
      }
    },
  };
};
