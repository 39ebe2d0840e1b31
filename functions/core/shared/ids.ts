import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { v7 } from 'uuid';

/** Random identifiers and secrets. Kept in one place so their length and alphabet are decided once. */

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** Unbiased random string over [a-z0-9] (rejection sampling). */
const randomAlnum = (length: number): string => {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 252 && out.length < length) out += ALPHABET[byte % 36];
    }
  }
  return out;
};

export const newId = (): string => randomUUID();
/** UUIDv7: time-ordered (and monotonic within a process), so sorting by id sorts by creation. */
export const newTimeOrderedId = (): string => v7();
export const newClientId = (): string => randomAlnum(24);
/** 32 bytes of entropy, URL-safe. */
export const newClientSecret = (): string => randomBytes(32).toString('base64url');
/** Tenants double as BigCommerce store hashes, which are short lowercase alphanumerics. */
export const newTenantId = (): string => randomAlnum(10);
export const newStoreToken = (): string => `slw_${randomBytes(32).toString('base64url')}`;
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
