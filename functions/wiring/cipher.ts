import { kmsSecretCipher } from '../adapters/crypto/kms-cipher.ts';
import { localSecretCipher } from '../adapters/crypto/local-cipher.ts';
import { config } from '../config.ts';
import type { SecretCipher } from '../core/deployments/ports.ts';

/** KMS when a key id is configured (AWS), the local AES key otherwise (`npm start`, tests). */
const kms = kmsSecretCipher(() => config.kmsKeyId ?? '');
const local = localSecretCipher(() => config.secretsKey);

export const configuredCipher: SecretCipher = {
  encrypt: (values, context) => (config.kmsKeyId ? kms : local).encrypt(values, context),
  decrypt: (values, context) => (config.kmsKeyId ? kms : local).decrypt(values, context),
};
