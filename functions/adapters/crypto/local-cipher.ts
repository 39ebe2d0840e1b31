import type { EncryptionContext, SecretCipher } from '../../core/deployments/ports.ts';
import { contextText, openWith, sealWith } from './aes-gcm.ts';

/**
 * The authenticated data of each version: values sealed before the tenant was part of the
 * context (`v1.local.`) keep opening with the context they were sealed with; everything
 * sealed now is `v2.local.`.
 */
const VERSIONS = {
  'v1.local.': (context: EncryptionContext) =>
    contextText({ projectId: context.projectId, deploymentId: context.deploymentId }),
  'v2.local.': (context: EncryptionContext) =>
    contextText({ tenant: context.tenant, projectId: context.projectId, deploymentId: context.deploymentId }),
};
type Version = keyof typeof VERSIONS;
const SEALING: Version = 'v2.local.';

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
      return plaintexts.map((p) => `${SEALING}${sealWith(k, p, VERSIONS[SEALING](context))}`);
    },
    async decrypt(ciphertexts, context) {
      const k = key();
      return ciphertexts.map((c) => {
        const version = (Object.keys(VERSIONS) as Version[]).find((v) => c.startsWith(v));
        if (!version) throw new Error('Not a locally encrypted value');
        return openWith(k, c.slice(version.length), VERSIONS[version](context));
      });
    },
  };
};
