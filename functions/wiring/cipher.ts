import { kmsOpen, kmsSeal } from '../adapters/crypto/kms-cipher.ts';
import { localSecretCipher } from '../adapters/crypto/local-cipher.ts';
import { config } from '../config.ts';
import type { SecretCipher } from '../core/deployments/ports.ts';
import { cannotOpen, cannotSeal } from './cipher-refusals.ts';

/** KMS when a key id is configured (AWS), the local AES key otherwise (`npm start`, tests). */
const local = localSecretCipher(() => config.secretsKey);

/**
 * Sealing only: the deployments API seals the values it is given and never opens one, so its
 * role needs only data keys (`kms:GenerateDataKey`), never `kms:Decrypt`.
 */
export const sealingCipher: SecretCipher = {
  encrypt: (values, context) =>
    config.kmsKeyId ? kmsSeal(config.kmsKeyId, values, context) : local.encrypt(values, context),
  decrypt: cannotOpen,
};

/**
 * Opening only: hosting and scripts decrypt an application's configuration and never seal
 * one, so their roles need only `kms:Decrypt`.
 */
export const openingCipher: SecretCipher = {
  encrypt: cannotSeal,
  decrypt: (values, context) => (config.kmsKeyId ? kmsOpen(values, context) : local.decrypt(values, context)),
};
