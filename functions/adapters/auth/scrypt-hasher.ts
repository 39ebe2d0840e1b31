import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';
import type { SecretHasher } from '../../core/auth/ports.ts';

/**
 * scrypt with its parameters stored in the hash (`scrypt$N$r$p$salt$hash`), so they can be
 * raised later without invalidating existing secrets. N=2^15, r=8 costs 32 MiB and about
 * 100 ms here: slow enough to make a leaked table useless, fast enough for a token endpoint.
 */
const N = 32_768;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

const derive = (secret: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const maxmem = 256 * (options.N ?? N) * (options.r ?? R);
    scrypt(secret, salt, KEY_LENGTH, { ...options, maxmem }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });

export const scryptHasher: SecretHasher = {
  async hash(secret) {
    const salt = randomBytes(16);
    const key = await derive(secret, salt, { N, r: R, p: P });
    return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  },

  async verify(secret, hash) {
    const [scheme, n, r, p, salt, expected] = hash.split('$');
    if (scheme !== 'scrypt' || !n || !r || !p || !salt || !expected) return false;
    const expectedKey = Buffer.from(expected, 'base64url');
    const key = await derive(secret, Buffer.from(salt, 'base64url'), {
      N: Number(n),
      r: Number(r),
      p: Number(p),
    });
    return key.length === expectedKey.length && timingSafeEqual(key, expectedKey);
  },
};
