/**
 * Exit codes and the errors that carry them. Every failure the CLI reports is a `CliError`:
 * what went wrong, and what to do next (clig.dev: an error is a chance to help).
 */

/** The exit codes scripts may rely on (docs/cli.md). */
export const EXIT = {
  ok: 0,
  /** The operation failed: a deployment ended Failed, a script failed, the server refused. */
  failed: 1,
  /** The command line was wrong: an unknown option, a missing argument, a bad value. */
  usage: 2,
  /** No valid credential, or one without the scope the request needs. */
  auth: 3,
  /** What the command names does not exist (or belongs to another tenant). */
  notFound: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    /** What to do next, one line. */
    readonly hint?: string,
  ) {
    super(message);
  }
}

export const usageError = (message: string, hint?: string) => new CliError(message, EXIT.usage, hint);

/** An error answer of the API, in either dialect's envelope. */
export class ApiError extends CliError {
  override name = 'ApiError';
  constructor(
    message: string,
    exitCode: ExitCode,
    hint: string | undefined,
    readonly status: number,
    /** The first error's code (`ResourceNotFound`, `DeploymentInProgress`…), when the body names one. */
    readonly code: string | undefined,
    readonly body: unknown,
  ) {
    super(message, exitCode, hint);
  }
}

/** Connect's `{message, errors:[{code, message}]}` or BigCommerce's `{title, code, detail}`. */
const envelopeOf = (body: unknown): { message?: string; code?: string; detail?: string } => {
  if (typeof body !== 'object' || body === null) return {};
  const b = body as Record<string, unknown>;
  const first = Array.isArray(b.errors) ? (b.errors[0] as Record<string, unknown> | undefined) : undefined;
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    message: text(first?.message) ?? text(b.message) ?? text(b.title),
    code: text(first?.code) ?? text(b.code),
    detail: text(first?.detailedErrorMessage) ?? text(b.detail),
  };
};

const exitCodeOf = (status: number, code: string | undefined): ExitCode => {
  if (status === 401 || status === 403) return EXIT.auth;
  if (status === 404) return EXIT.notFound;
  // InvalidJsonInput, InvalidField, InvalidQueryParam…: a value given on the command line.
  if (status === 400 && code?.startsWith('Invalid')) return EXIT.usage;
  return EXIT.failed;
};

const HINTS: Record<number, string> = {
  401: 'Log in again (slipway login) or set SLIPWAY_TOKEN; npm start prints an admin token.',
  403: 'Use a token whose scopes cover this project (slipway login with another client).',
  429: 'Too many requests: wait a moment and try again.',
  503: 'The server is short of a dependency: try again in a few seconds.',
};

/** The CliError for an error answer: its message, the exit code its status means, a hint. */
export const apiError = (status: number, body: unknown, hint?: string): ApiError => {
  const { message, code, detail } = envelopeOf(body);
  // The detail names the field and the rule ("key: must be 2-256 characters…"), where the
  // message says only that the request was refused.
  const text = detail ?? message ?? `The server answered ${status}.`;
  return new ApiError(
    code ? `${text} (${code})` : text,
    exitCodeOf(status, code),
    hint ?? HINTS[status],
    status,
    code,
    body,
  );
};
