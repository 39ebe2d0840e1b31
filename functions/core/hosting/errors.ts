import { AppError } from '../shared/errors.ts';

/**
 * Workflow failures: raised inside a deploy or undeploy step, they cross Step Functions as
 * `Slipway.<code>` (never retried) and end in an `Error` report entry, not in an HTTP answer.
 */
export class ApplicationBuildFailed extends AppError {
  override readonly name = 'ApplicationBuildFailed';
  constructor(applicationName: string, reason: string) {
    super('ApplicationBuildFailed', `Building application '${applicationName}' failed: ${reason}`, {
      application: applicationName,
    });
  }
}

export class ApplicationHostingFailed extends AppError {
  override readonly name = 'ApplicationHostingFailed';
  constructor(applicationName: string, reason: string) {
    super('ApplicationHostingFailed', `Hosting application '${applicationName}' failed: ${reason}`, {
      application: applicationName,
    });
  }
}

export class ApplicationScriptFailed extends AppError {
  override readonly name = 'ApplicationScriptFailed';
  constructor(applicationName: string, script: string, reason: string) {
    super(
      'ApplicationScriptFailed',
      `Failed during the execution of '${script}' script of application '${applicationName}': ${reason}`,
      { application: applicationName, script },
    );
  }
}
