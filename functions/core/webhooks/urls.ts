/**
 * What a subscription's URL may be, checked when it is given: `https` only, or `http` to a
 * loopback address when the server allows loopback (`SLIPWAY_WEBHOOKS_ALLOW_LOOPBACK`, for
 * local use); no credentials in it; a literal address must be a public one; names that can
 * only be internal (`localhost` unless allowed, a name of one label) are refused. A name is
 * resolved only when a delivery connects, and the address connected to is checked then
 * (functions/adapters/webhooks/address-guard.ts): this check is the early, friendly half.
 */
import { classifyAddress, isLoopbackAddress } from './addresses.ts';
import { WebhookUrlNotAllowed } from './errors.ts';

export interface UrlPolicy {
  allowLoopback: boolean;
}

export const MAX_URL_LENGTH = 2048;

/** The host of a URL as an address literal (IPv6 without its brackets), if it is one. */
const literalHost = (hostname: string): string =>
  hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;

const isLocalhostName = (hostname: string) => hostname === 'localhost' || hostname.endsWith('.localhost');

/** Throws `WebhookUrlNotAllowed` (400, naming `url`) unless a delivery may be attempted to `text`. */
export const assertDeliverableUrl = (text: string, policy: UrlPolicy): URL => {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new WebhookUrlNotAllowed('is not an absolute URL');
  }
  if (text.length > MAX_URL_LENGTH)
    throw new WebhookUrlNotAllowed(`is longer than ${MAX_URL_LENGTH} characters`);
  if (url.username !== '' || url.password !== '')
    throw new WebhookUrlNotAllowed('must not carry credentials (user:password@)');
  const host = literalHost(url.hostname.toLowerCase());
  const literal = /^[\d.]+$/.test(host) || host.includes(':');
  const loopback = literal ? isLoopbackAddress(host) : isLocalhostName(host);
  // What the address is comes first: http to 169.254.169.254 is refused for the address, not the scheme.
  const verdict = literal ? classifyAddress(host, policy) : undefined;
  if (verdict && !verdict.allowed)
    throw new WebhookUrlNotAllowed(`names a refused address: ${verdict.reason}`);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowLoopback && loopback))
    throw new WebhookUrlNotAllowed(
      policy.allowLoopback
        ? 'must use https (http only to a loopback address)'
        : `must use https, got ${url.protocol.replace(/:$/, '')}`,
    );
  if (literal) return url;
  if (isLocalhostName(host)) {
    if (!policy.allowLoopback) throw new WebhookUrlNotAllowed(`names a loopback host (${host})`);
  } else if (!host.includes('.')) {
    throw new WebhookUrlNotAllowed(
      `names a host of one label (${host}), which only an internal resolver knows`,
    );
  }
  return url;
};
