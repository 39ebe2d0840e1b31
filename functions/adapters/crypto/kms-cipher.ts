import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { EncryptionContext, SecretCipher } from '../../core/deployments/ports.ts';
import { contextText, openWith, sealWith } from './aes-gcm.ts';

const kms = new KMSClient({});

/**
 * KMS wants its context as string pairs; the names say whose they are, and IAM policies name
 * them as `kms:EncryptionContext:slipway:<name>` (a hosted deployment's role may decrypt only
 * with its own tenant and deployment: functions/adapters/hosting/aws/roles.ts). Values sealed
 * before the tenant was part of the context (`v1.kms.`) keep opening with the context they
 * were sealed with; everything sealed now is `v2.kms.`.
 */
const VERSIONS = {
  'v1.kms.': (context: EncryptionContext) => ({
    'slipway:project': context.projectId,
    'slipway:deployment': context.deploymentId,
  }),
  'v2.kms.': (context: EncryptionContext) => ({
    'slipway:tenant': context.tenant,
    'slipway:project': context.projectId,
    'slipway:deployment': context.deploymentId,
  }),
};
type Version = keyof typeof VERSIONS;
const SEALING: Version = 'v2.kms.';

const versionOf = (ciphertext: string): Version => {
  const version = (Object.keys(VERSIONS) as Version[]).find((v) => ciphertext.startsWith(v));
  if (!version) throw new Error('Not a KMS-encrypted value');
  return version;
};

/**
 * Envelope encryption with KMS: one data key per call (GenerateDataKey under the secured
 * configuration key, bound to the tenant, project and deployment by the encryption context),
 * the values sealed locally with AES-256-GCM, and the encrypted data key stored beside each.
 * Decrypting asks KMS once per data key, with the same context, so a value copied to another
 * deployment or tenant cannot be decrypted there, and CloudTrail records every use.
 *
 * The two halves are apart (`kmsSeal`, `kmsOpen`) because a function needs one or the other
 * (`functions/wiring/cipher.ts`): an object holding both would bundle both commands' schemas.
 */
export const kmsSeal = async (
  keyId: string,
  plaintexts: string[],
  context: EncryptionContext,
): Promise<string[]> => {
  if (plaintexts.length === 0) return [];
  const kmsContext = VERSIONS[SEALING](context);
  const out = await kms.send(
    new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: kmsContext }),
  );
  if (!out.Plaintext || !out.CiphertextBlob) throw new Error('KMS returned no data key');
  const key = Buffer.from(out.Plaintext);
  const wrapped = Buffer.from(out.CiphertextBlob).toString('base64url');
  try {
    return plaintexts.map((p) => `${SEALING}${wrapped}.${sealWith(key, p, contextText(kmsContext))}`);
  } finally {
    key.fill(0);
  }
};

/** Opens what `kmsSeal` sealed, under any key: the data key's ciphertext names its KMS key. */
export const kmsOpen: SecretCipher['decrypt'] = async (ciphertexts, context) => {
  const keys = new Map<string, Buffer>();
  try {
    const out: string[] = [];
    for (const c of ciphertexts) {
      const version = versionOf(c);
      const kmsContext = VERSIONS[version](context);
      const [wrapped = '', ...sealed] = c.slice(version.length).split('.');
      const cacheKey = `${version}${wrapped}`;
      let key = keys.get(cacheKey);
      if (!key) {
        const plain = await kms.send(
          new DecryptCommand({
            CiphertextBlob: Buffer.from(wrapped, 'base64url'),
            EncryptionContext: kmsContext,
          }),
        );
        if (!plain.Plaintext) throw new Error('KMS returned no data key');
        key = Buffer.from(plain.Plaintext);
        keys.set(cacheKey, key);
      }
      out.push(openWith(key, sealed.join('.'), contextText(kmsContext)));
    }
    return out;
  } finally {
    for (const key of keys.values()) key.fill(0);
  }
};

/** Both halves, as one cipher. */
export const kmsSecretCipher = (keyId: () => string): SecretCipher => ({
  encrypt: (plaintexts, context) => kmsSeal(keyId(), plaintexts, context),
  decrypt: kmsOpen,
});
