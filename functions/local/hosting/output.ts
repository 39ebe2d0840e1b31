import type { HostingOutput, Say } from './types.ts';

type OnOutput = ((output: HostingOutput) => void) | undefined;
type ApplicationRef = { deploymentId: string; applicationName: string };

/** Where the output lines of one application go: to `onOutput`, tagged with the application. */
export const sayerFor = (onOutput: OnOutput, { deploymentId, applicationName }: ApplicationRef): Say => {
  return (line, stream) => onOutput?.({ deploymentId, applicationName, line, stream });
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
