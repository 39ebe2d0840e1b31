import type { HostingOutput, Say } from './types.ts';

type OnOutput = ((output: HostingOutput) => void) | undefined;
type ApplicationRef = { deploymentId: string; applicationName: string };

const MINUTE_MS = 60_000;

/**
 * Where the output lines of one application go: to `onOutput`, tagged with the application.
 * At most `linesPerMinute` lines a minute are kept (a flood would fill the deployment's logs
 * and the table); the rest is dropped, and one line says so when it starts and how many went
 * when the next minute begins.
 */
export const sayerFor = (
  onOutput: OnOutput,
  { deploymentId, applicationName }: ApplicationRef,
  linesPerMinute = Number.POSITIVE_INFINITY,
): Say => {
  let windowStart = 0;
  let kept = 0;
  let dropped = 0;
  const emit = (line: string, stream: 'stdout' | 'stderr') =>
    onOutput?.({ deploymentId, applicationName, line, stream });
  return (line, stream) => {
    const now = Date.now();
    if (now - windowStart >= MINUTE_MS) {
      if (dropped > 0)
        emit(
          `[slipway] ${dropped} lines of '${applicationName}' were dropped: over the log limit of ${linesPerMinute} lines a minute`,
          'stderr',
        );
      windowStart = now;
      kept = 0;
      dropped = 0;
    }
    if (kept < linesPerMinute) {
      kept++;
      emit(line, stream);
      return;
    }
    if (dropped === 0)
      emit(
        `[slipway] '${applicationName}' is over the log limit of ${linesPerMinute} lines a minute: the rest of this minute's lines are dropped`,
        'stderr',
      );
    dropped++;
  };
};

/** A warning about an application: an output line of it, or the console's without `onOutput`. */
export const warn = (onOutput: OnOutput, request: ApplicationRef, message: string): void => {
  const line = `[slipway] hosting '${request.applicationName}' of deployment ${request.deploymentId}: ${message}`;
  if (onOutput)
    onOutput({
      deploymentId: request.deploymentId,
      applicationName: request.applicationName,
      line,
      stream: 'stderr',
    });
  else console.warn(line);
};
