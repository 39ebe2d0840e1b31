import { ApplicationHostingFailed } from '../../core/hosting/errors.ts';
import type { HostingRequest } from '../../core/hosting/ports.ts';

/** The reason given to `ApplicationHostingFailed`, without the message's prefix. */
const reasons = new WeakMap<Error, string>();

export const hostingFailed = (request: HostingRequest, reason: string): ApplicationHostingFailed => {
  const error = new ApplicationHostingFailed(request.applicationName, reason);
  reasons.set(error, reason);
  return error;
};

/** The reason `hostingFailed` was given (what the HTTP API answers), else the error's message. */
export const reasonOf = (error: Error): string => reasons.get(error) ?? error.message;

/** The most telling part of a failed `fetch`: its cause's code (ECONNREFUSED…) when there is one. */
export const causeOf = (error: unknown): string => {
  const err = error as Error & { cause?: { code?: string; message?: string } };
  return err.cause?.code ?? err.cause?.message ?? err.message;
};
