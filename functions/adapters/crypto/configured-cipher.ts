import { config } from '../../config.ts';
import type { SecretCipher } from '../../core/ports.ts';
import { kmsSecretCipher } from './kms-cipher.ts';
import { localSecretCipher } from './local-cipher.ts';

/** KMS when a key id is configured (AWS), the local AES key otherwise (`npm start`, tests). */
const kms = kmsSecretCipher(() => config.kmsKeyId ?? '');
const local = localSecretCipher(() => config.secretsKey);

export const configuredCipher: SecretCipher = {
  encrypt: (values, context) => (config.kmsKeyId ? kms : local).encrypt(values, context),
  decrypt: (values, context) => (config.kmsKeyId ? kms : local).decrypt(values, context),
};
