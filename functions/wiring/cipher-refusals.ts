/**
 * What stands in a composition root for the half of the secret cipher a function never uses
 * (or for all of it): calling one is a wiring mistake. A module of its own, holding no cipher,
 * so the reaper's bundle takes no KMS client in with it (`cipher.ts` makes both ciphers).
 */
import type { SecretCipher } from '../core/deployments/ports.ts';

export const cannotOpen = async (): Promise<never> => {
  throw new Error('This function does not open secured configuration values');
};

export const cannotSeal = async (): Promise<never> => {
  throw new Error('This function does not seal secured configuration values');
};

/** Neither seals nor opens: failing an operation never touches its secured configuration. */
export const noCipher: SecretCipher = { encrypt: cannotSeal, decrypt: cannotOpen };
