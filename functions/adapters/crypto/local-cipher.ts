import type { SecretCipher } from '../../core/deployments/ports.ts';
import { contextText, openWith, sealWith } from './aes-gcm.ts';

const PREFIX = 'v1.local.';

/**
 * Where there is no KMS (`npm start`, tests): AES-256-GCM under one key kept in the data
 * folder (mode 0600), with the encryption context as authenticated data.
 */
export const localSecretCipher = (base64Key: () => string): SecretCipher => {
  const key = () => {
    const bytes = Buffer.from(base64Key(), 'base64');
    if (bytes.length !== 32) throw new Error('The secrets key must be 32 bytes, base64');
    return bytes;
  };
  return {
    async encrypt(plaintexts, context) {
      const k = key();
      return plaintexts.map((p) => `${PREFIX}${sealWith(k, p, contextText({ ...context }))}`);
    },
    async decrypt(ciphertexts, context) {
      const k = key();
      return ciphertexts.map((c) => {
        if (!c.startsWith(PREFIX)) throw new Error('Not a locally encrypted value');
        return openWith(k, c.slice(PREFIX.length), contextText({ ...context }));
      });
    },
  };
};
