/** Reading a deployment's logs page by page, and once each when read again and again (`--follow`). */
import { type Api, unwrap } from './api/client.ts';
import type { DeploymentLog, DeploymentLogPage } from './api/types.ts';
import { ApiError, EXIT } from './errors.ts';
import type { Output } from './output.ts';

/** An --app naming no application of the deployment is answered 400; to the user it is not found. */
export const logsError = (error: unknown, applicationName: string | undefined): unknown =>
  error instanceof ApiError && error.code === 'DeploymentApplicationDoesNotExist'
    ? new ApiError(
        error.message,
        EXIT.notFound,
        `The deployment has no application '${applicationName ?? ''}': slipway status lists its applications.`,
        error.status,
        error.code,
        error.body,
      )
    : error;

/** Reads every log entry of a deployment since `since`, following `next` to the last page. */
export const readLogs = async (
  api: Api,
  projectKey: string,
  deploymentRef: string,
  since: Date,
  applicationName?: string,
): Promise<DeploymentLog[]> => {
  const out: DeploymentLog[] = [];
  let pageToken: string | undefined;
  do {
    const page = await unwrap<DeploymentLogPage>(
      api.GET('/{projectKey}/deployments/{deploymentRef}/logs', {
        params: {
          path: { projectKey, deploymentRef },
          query: {
            startDate: since.toISOString(),
            limit: '500',
            ...(applicationName ? { applicationName } : {}),
            ...(pageToken ? { pageToken } : {}),
          },
        },
      }),
      { 404: `slipway ls --project ${projectKey} lists the project's deployments.` },
    ).catch((error: unknown) => {
      throw logsError(error, applicationName);
    });
    out.push(...page.data);
    pageToken = page.next ?? undefined;
  } while (pageToken);
  return out;
};

const identity = (log: DeploymentLog) =>
  `${log.timestamp} ${log.applicationName} ${JSON.stringify(log.details)}`;

/**
 * The entries not seen before, across reads that overlap: each read starts a little before
 * the newest entry seen (clocks and the order of writes are not exact), and what was seen is
 * left out.
 */
export class LogCursor {
  private readonly seen = new Set<string>();
  private since: Date;

  constructor(
    private readonly api: Api,
    private readonly projectKey: string,
    private readonly deploymentRef: string,
    since: Date,
    private readonly applicationName?: string,
  ) {
    this.since = since;
  }

  async next(): Promise<DeploymentLog[]> {
    const read = await readLogs(
      this.api,
      this.projectKey,
      this.deploymentRef,
      this.since,
      this.applicationName,
    );
    const fresh = read.filter((log) => !this.seen.has(identity(log)));
    for (const log of fresh) this.seen.add(identity(log));
    const newest = fresh.at(-1);
    if (newest) this.since = new Date(Math.max(this.since.getTime(), Date.parse(newest.timestamp) - 5_000));
    return fresh;
  }
}

/** What a log entry says, in one line: its message, or its JSON. */
export const logText = (log: DeploymentLog): string => {
  const message = log.details.message;
  const text = typeof message === 'string' ? message : JSON.stringify(log.details);
  // The workflow prefixes its lines with the build's id, which the reader knows already.
  return text.replace(/^Build [0-9a-f-]{36}: /, '').replace(/\s+$/, '');
};

/**
 * `12:01:02  service  listening on port 8080` (the severity shown when it is not INFO), the
 * application's name padded to `width` so the messages line up.
 */
export const printLog = (out: Output, log: DeploymentLog, toStdout = false, width = 8) => {
  const time = log.timestamp.slice(11, 19);
  const severity = log.severity === 'INFO' ? '' : `${log.severity}  `;
  const line = `${out.style('dim', time)}  ${log.applicationName.padEnd(width)}  ${severity}${logText(log)}`;
  if (toStdout) out.line(line);
  else out.info(`  ${line}`);
};
