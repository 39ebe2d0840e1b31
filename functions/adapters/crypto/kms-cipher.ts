import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { EncryptionContext, SecretCipher } from '../../core/deployments/ports.ts';
import { contextText, openWith, sealWith } from './aes-gcm.ts';

const kms = new KMSClient({});
const PREFIX = 'v1.kms.';

/** KMS wants its context as string pairs; the names say whose they are. */
const kmsContext = (context: EncryptionContext) => ({
  'slipway:project': context.projectId,
  'slipway:deployment': context.deploymentId,
});

/**
 * Envelope encryption with KMS: one data key per call (GenerateDataKey under the secured
 * configuration key, bound to the project and deployment by the encryption context), the
 * values sealed locally with AES-256-GCM, and the encrypted data key stored beside each.
 * Decrypting asks KMS once per data key, with the same context, so a value copied to another
 * deployment cannot be decrypted there, and CloudTrail records every use.
 */
export const kmsSecretCipher = (keyId: () => string): SecretCipher => ({
  async encrypt(plaintexts, context) {
    if (plaintexts.length === 0) return [];
    const out = await kms.send(
      new GenerateDataKeyCommand({
        KeyId: keyId(),
        KeySpec: 'AES_256',
        EncryptionContext: kmsContext(context),
      }),
    );
    if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
    const key = Buffer.from(out.Plaintext);
    const wrapped = Buffer.from(out.CiphertextBlob).toString('base64url');
    try {
      return plaintexts.map(
        (p) => `${PREFIX}${wrapped}.${sealWith(key, p, contextText(kmsContext(context)))}`,
      );
    } finally {
      key.fill(0);
    }
  },

  async decrypt(ciphertexts, context) {
    const keys = new Map<string, Buffer>();
    try {
      const out: string[] = [];
      for (const c of ciphertexts) {
        if (!c.startsWith(PREFIX)) throw new Error('Not a KMS-encrypted value');
        const [wrapped = '', ...sealed] = c.slice(PREFIX.length).split('.');
        let key = keys.get(wrapped);
        if (!key) {
          const plain = await kms.send(
            new DecryptCommand({
              CiphertextBlob: Buffer.from(wrapped, 'base64url'),
              EncryptionContext: kmsContext(context),
            }),
          );
          if (!plain.Plaintext) throw new Error('KMS returned no data key');
          key = Buffer.from(plain.Plaintext);
          keys.set(wrapped, key);
        }
        out.push(openWith(key, sealed.join('.'), contextText(kmsContext(context))));
      }
      return out;
    } finally {
      for (const key of keys.values()) key.fill(0);
    }
  },
});
