/**
 * An API error in words: the message the API gave (Connect's envelope `{message, errors}` or
 * BigCommerce's `{title, detail}`), with its code in brackets for a search, or the meaning of
 * the status when the body says nothing.
 */

const STATUS_WORDS: Record<number, string> = {
  400: 'The request was not accepted.',
  401: 'Your session has ended: the token expired or was revoked. Sign in again.',
  403: 'Your credentials do not allow this.',
  404: 'Not found: it may have been deleted.',
  409: 'Someone or something changed it meanwhile. Look again and retry.',
  412: 'It changed since you loaded it. Look again and retry.',
  413: 'The request is too large.',
  429: 'Too many requests: wait a moment and retry.',
  503: 'The service is briefly unavailable: retry in a few seconds.',
};

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;

export const errorWords = (status: number, body: unknown): string => {
  const envelope = record(body);
  const first = record(Array.isArray(envelope?.errors) ? envelope.errors[0] : undefined);
  const message =
    text(first?.detailedErrorMessage) ??
    text(first?.message) ??
    text(envelope?.message) ??
    text(envelope?.detail) ??
    text(envelope?.title) ??
    text(envelope?.error_description);
  const code = text(first?.code) ?? text(envelope?.code) ?? text(envelope?.error);
  const fallback = STATUS_WORDS[status] ?? `The API answered ${status}.`;
  if (status === 401) return fallback;
  if (!message) return code ? `${fallback} (${code})` : fallback;
  return code && !message.includes(code) ? `${message} (${code})` : message;
};

/** What a failed `fetch` (no answer at all) means to the user. */
export const NETWORK_WORDS = 'The Slipway API could not be reached. Check your connection and retry.';
