/**
 * Which IP addresses a webhook may be delivered to: public unicast only. Private, loopback
 * (unless the server allows it, for local use), link-local (the cloud metadata service at
 * 169.254.169.254 among them), shared (CGNAT), multicast, reserved and documentation ranges
 * are refused, in every form an address can take: IPv4, IPv6, and IPv6 forms that carry an
 * IPv4 address (mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`). The
 * sender checks the address it actually connects to (functions/adapters/webhooks/), so a name
 * that resolves somewhere else between a check and the connection gains nothing.
 */
import { isIP } from 'node:net';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

interface Range {
  bytes: number[];
  bits: number;
  what: string;
}

const v4 = (cidr: string, what: string): Range => {
  const [address = '', bits = '32'] = cidr.split('/');
  return { bytes: address.split('.').map(Number), bits: Number(bits), what };
};

const LOOPBACK_V4 = v4('127.0.0.0/8', 'a loopback address');
const REFUSED_V4: Range[] = [
  v4('0.0.0.0/8', 'a "this network" address'),
  v4('10.0.0.0/8', 'a private address (RFC 1918)'),
  v4('100.64.0.0/10', 'a shared address (carrier-grade NAT, RFC 6598)'),
  v4('169.254.0.0/16', 'a link-local address (the cloud metadata service among them)'),
  v4('172.16.0.0/12', 'a private address (RFC 1918)'),
  v4('192.0.0.0/24', 'an IETF protocol assignment'),
  v4('192.0.2.0/24', 'a documentation address'),
  v4('192.88.99.0/24', 'a 6to4 relay address'),
  v4('192.168.0.0/16', 'a private address (RFC 1918)'),
  v4('198.18.0.0/15', 'a benchmarking address'),
  v4('198.51.100.0/24', 'a documentation address'),
  v4('203.0.113.0/24', 'a documentation address'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved address'),
];

const v6 = (prefix: string, bits: number, what: string): Range => ({
  bytes: [...(ipv6Bytes(prefix) ?? [])],
  bits,
  what,
});

/** The 16 bytes of an IPv6 address (`::`, an embedded dotted IPv4 and a zone are understood). */
function ipv6Bytes(text: string): Uint8Array | undefined {
  // A trailing dotted IPv4 (`::ffff:1.2.3.4`) is two groups written differently.
  const address = text
    .replace(/%.*$/, '')
    .replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) =>
      [((Number(a) << 8) | Number(b)).toString(16), ((Number(c) << 8) | Number(d)).toString(16)].join(':'),
    );
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const before = groups(halves[0] ?? '');
  const after = halves.length === 2 ? groups(halves[1] ?? '') : [];
  const missing = 8 - before.length - after.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...before, ...new Array<string>(missing).fill('0'), ...after];
  if (words.some((w) => !/^[0-9a-fA-F]{1,4}$/.test(w))) return undefined;
  return Uint8Array.from(words.flatMap((w) => [Number.parseInt(w, 16) >> 8, Number.parseInt(w, 16) & 0xff]));
}

const LOOPBACK_V6 = v6('::1', 128, 'a loopback address');
const REFUSED_V6: Range[] = [
  v6('::', 128, 'the unspecified address'),
  v6('::', 96, 'an IPv4-compatible address (deprecated)'),
  v6('::ffff:0:0:0', 96, 'an IPv4-translated address'),
  v6('64:ff9b:1::', 48, 'a local-use NAT64 address'),
  v6('100::', 64, 'a discard-only address'),
  v6('2001::', 32, 'a Teredo address'),
  v6('2001:db8::', 32, 'a documentation address'),
  v6('fc00::', 7, 'a unique local address (private)'),
  v6('fe80::', 10, 'a link-local address'),
  v6('fec0::', 10, 'a site-local address (deprecated)'),
  v6('ff00::', 8, 'a multicast address'),
];

const inRange = (bytes: Uint8Array, range: Range): boolean => {
  for (let bit = 0; bit < range.bits; bit++) {
    const mask = 0x80 >> (bit % 8);
    if (((bytes[bit >> 3] ?? 0) & mask) !== ((range.bytes[bit >> 3] ?? 0) & mask)) return false;
  }
  return true;
};

const refused = (reason: string): AddressVerdict => ({ allowed: false, reason });

const classifyV4 = (bytes: Uint8Array, allowLoopback: boolean): AddressVerdict => {
  if (inRange(bytes, LOOPBACK_V4))
    return allowLoopback ? { allowed: true } : refused(`${[...bytes].join('.')} is ${LOOPBACK_V4.what}`);
  const range = REFUSED_V4.find((r) => inRange(bytes, r));
  return range ? refused(`${[...bytes].join('.')} is ${range.what}`) : { allowed: true };
};

/** The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4), if it is of such a form. */
const embeddedV4 = (bytes: Uint8Array): Uint8Array | undefined => {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (inRange(bytes, v6('64:ff9b::', 96, ''))) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return undefined;
};

/**
 * Whether a webhook may be delivered to `address` (an IPv4 or IPv6 literal, as a resolver or
 * a socket gives it). Anything that does not parse is refused.
 */
export const classifyAddress = (address: string, options: { allowLoopback: boolean }): AddressVerdict => {
  const family = isIP(address.replace(/%.*$/, ''));
  if (family === 4) return classifyV4(Uint8Array.from(address.split('.').map(Number)), options.allowLoopback);
  if (family !== 6) return refused(`'${address}' is not an IP address`);
  const bytes = ipv6Bytes(address);
  if (!bytes) return refused(`'${address}' is not an IP address`);
  const carried = embeddedV4(bytes);
  if (carried) {
    const verdict = classifyV4(carried, options.allowLoopback);
    return verdict.allowed ? verdict : refused(`${address} carries an IPv4 address: ${verdict.reason}`);
  }
  if (inRange(bytes, LOOPBACK_V6))
    return options.allowLoopback ? { allowed: true } : refused(`${address} is ${LOOPBACK_V6.what}`);
  const range = REFUSED_V6.find((r) => inRange(bytes, r));
  return range ? refused(`${address} is ${range.what}`) : { allowed: true };
};

/** Whether `address` is a loopback address (127.0.0.0/8, ::1, or one carried in an IPv6 form). */
export const isLoopbackAddress = (address: string): boolean => {
  const strict = classifyAddress(address, { allowLoopback: false });
  return !strict.allowed && classifyAddress(address, { allowLoopback: true }).allowed;
};
