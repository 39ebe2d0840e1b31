/**
 * The address rules of webhook delivery (SSRF): public unicast only, in every notation an
 * address can take, and the URL rules checked when a subscription is made.
 */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { classifyAddress } from '../../functions/core/webhooks/addresses.ts';
import { assertDeliverableUrl } from '../../functions/core/webhooks/urls.ts';

const strict = { allowLoopback: false };
const local = { allowLoopback: true };
const allowed = (address: string, policy = strict) => classifyAddress(address, policy).allowed;

const octet = fc.integer({ min: 0, max: 255 });
const v4 = (first: fc.Arbitrary<number>, second: fc.Arbitrary<number> = octet) =>
  fc.tuple(first, second, octet, octet).map((parts) => parts.join('.'));
/** IPv4 as the 32 bits an IPv6 form carries: `::ffff:a.b.c.d` or its hex spelling `::ffff:xxxx:xxxx`. */
const mapped = (address: string, hex: boolean) => {
  if (!hex) return `::ffff:${address}`;
  const [a = 0, b = 0, c = 0, d = 0] = address.split('.').map(Number);
  return `::ffff:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};

/** Every refused IPv4 range, as an arbitrary of its addresses. */
const REFUSED_V4: [string, fc.Arbitrary<string>][] = [
  ['0.0.0.0/8', v4(fc.constant(0))],
  ['10.0.0.0/8 (private)', v4(fc.constant(10))],
  ['100.64.0.0/10 (CGNAT)', v4(fc.constant(100), fc.integer({ min: 64, max: 127 }))],
  ['127.0.0.0/8 (loopback)', v4(fc.constant(127))],
  ['169.254.0.0/16 (link-local, metadata)', v4(fc.constant(169), fc.constant(254))],
  ['172.16.0.0/12 (private)', v4(fc.constant(172), fc.integer({ min: 16, max: 31 }))],
  ['192.168.0.0/16 (private)', v4(fc.constant(192), fc.constant(168))],
  ['224.0.0.0/4 (multicast)', v4(fc.integer({ min: 224, max: 239 }))],
  ['240.0.0.0/4 (reserved)', v4(fc.integer({ min: 240, max: 255 }))],
];

/** First octets that are public unicast outside the special second-octet ranges. */
const publicV4 = v4(
  fc.integer({ min: 1, max: 223 }).filter((a) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(a)),
);

describe('the addresses a webhook may reach', () => {
  for (const [range, addresses] of REFUSED_V4)
    test.prop([addresses, fc.boolean()])(
      `refuses ${range}, also as an IPv4-mapped IPv6 address`,
      (address, hex) => {
        expect(allowed(address)).toBe(false);
        expect(allowed(mapped(address, hex))).toBe(false);
        expect(allowed(`64:ff9b::${address}`)).toBe(false);
      },
    );

  test.prop([publicV4, fc.boolean()])('allows public IPv4 addresses, in either notation', (address, hex) => {
    expect(allowed(address)).toBe(true);
    expect(allowed(mapped(address, hex))).toBe(true);
  });

  test.prop([fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })])(
    'refuses unique local (fc00::/7), link-local (fe80::/10) and multicast (ff00::/8) IPv6 addresses',
    (a, b) => {
      const tail = `${a.toString(16)}:${b.toString(16)}`;
      for (const prefix of ['fc00', 'fd12', 'fe80', 'febf', 'ff02', 'ff0e'])
        expect(allowed(`${prefix}::${tail}`), `${prefix}::${tail}`).toBe(false);
    },
  );

  it('allows loopback only when the server is configured for it, and nothing else private with it', () => {
    expect(allowed('127.0.0.1')).toBe(false);
    expect(allowed('::1')).toBe(false);
    expect(allowed('127.0.0.1', local)).toBe(true);
    expect(allowed('::1', local)).toBe(true);
    expect(allowed('::ffff:127.0.0.1', local)).toBe(true);
    expect(allowed('169.254.169.254', local)).toBe(false);
    expect(allowed('10.0.0.1', local)).toBe(false);
  });

  it('names why an address is refused, and refuses what is not an address', () => {
    expect(classifyAddress('169.254.169.254', strict)).toEqual({
      allowed: false,
      reason: '169.254.169.254 is a link-local address (the cloud metadata service among them)',
    });
    expect(allowed('2002:a9fe:a9fe::1')).toBe(false); // 6to4 carrying 169.254.169.254
    expect(allowed('fe80::1%eth0')).toBe(false);
    expect(allowed('::')).toBe(false);
    expect(allowed('not-an-address')).toBe(false);
    expect(allowed('2606:4700:4700::1111')).toBe(true);
  });
});

describe('the URL a subscription may have', () => {
  it.each([
    ['https://hooks.example.com/in', strict],
    ['https://203.0.114.10/in', strict],
    ['http://127.0.0.1:8080/in', local],
    ['http://localhost:8080/in', local],
    ['http://[::1]:8080/in', local],
  ])('accepts %s', (url, policy) => {
    expect(() => assertDeliverableUrl(url, policy)).not.toThrow();
  });

  it.each([
    ['http://hooks.example.com/in', strict, 'must use https'],
    ['http://hooks.example.com/in', local, 'http only to a loopback address'],
    ['ftp://hooks.example.com/in', strict, 'must use https'],
    ['http://127.0.0.1/in', strict, 'loopback address'],
    ['https://127.0.0.1/in', strict, 'loopback'],
    ['https://localhost/in', strict, 'loopback host'],
    ['http://169.254.169.254/latest', local, 'link-local'],
    ['https://[::ffff:a9fe:a9fe]/', strict, 'link-local'],
    ['https://2130706433/', strict, 'loopback'], // 127.0.0.1 in decimal: URL parsing normalizes it
    ['https://0x7f.1/', strict, 'loopback'],
    ['https://user:secret@hooks.example.com/', strict, 'credentials'],
    ['https://intranet/hook', strict, 'one label'],
    ['not a url', strict, 'absolute URL'],
  ])('refuses %s', (url, policy, why) => {
    expect(() => assertDeliverableUrl(url, policy)).toThrow(
      expect.objectContaining({ message: expect.stringContaining(why) }),
    );
  });
});
