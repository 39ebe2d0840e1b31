import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { kmsSecretCipher } from '../../functions/adapters/crypto/kms-cipher.ts';
import { localSecretCipher } from '../../functions/adapters/crypto/local-cipher.ts';

const context = { projectId: 'p-1', deploymentId: 'd-1' };
const elsewhere = { projectId: 'p-1', deploymentId: 'd-2' };

describe('local secret cipher (AES-256-GCM, key in the data folder)', () => {
  const cipher = localSecretCipher(() => randomKey);
  const randomKey = randomBytes(32).toString('base64');

  it('round-trips values and never stores them in clear', async () => {
    const sealed = await cipher.encrypt(['s3cr3t-canary', 's3cr3t-canary'], context);

    expect(sealed.join()).not.toContain('s3cr3t');
    expect(sealed[0]).not.toBe(sealed[1]);
    expect(await cipher.decrypt(sealed, context)).toEqual(['s3cr3t-canary', 's3cr3t-canary']);
  });

  it('refuses a value moved to another deployment, or altered', async () => {
    const [sealed = ''] = await cipher.encrypt(['value'], context);
    // Flip one character inside the ciphertext body (not the last, whose low bits may be padding).
    const at = sealed.length - 2;
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;

    await expect(cipher.decrypt([sealed], elsewhere)).rejects.toThrow();
    await expect(cipher.decrypt([altered], context)).rejects.toThrow();
  });

  it('refuses a key of the wrong size', async () => {
    await expect(localSecretCipher(() => 'c2hvcnQ=').encrypt(['x'], context)).rejects.toThrow(/32 bytes/);
  });
});

describe('KMS envelope cipher (KMS mocked: it has no local stand-in)', () => {
  const kms = mockClient(KMSClient);
  const dataKey = randomBytes(32);
  const wrapped = Buffer.from('wrapped-data-key');
  const cipher = kmsSecretCipher(() => 'alias/slipway-secured-configuration');
  const kmsContext = { 'slipway:project': 'p-1', 'slipway:deployment': 'd-1' };

  afterEach(() => kms.reset());

  it('asks KMS for one data key per call, bound to the project and deployment', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: wrapped });

    const sealed = await cipher.encrypt(['a', 'b', 'c'], context);

    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(1);
    expect(kms.commandCalls(GenerateDataKeyCommand)[0]?.args[0].input).toEqual({
      KeyId: 'alias/slipway-secured-configuration',
      KeySpec: 'AES_256',
      EncryptionContext: kmsContext,
    });
    expect(sealed).toHaveLength(3);
    for (const value of sealed)
      expect(value.startsWith(`v1.kms.${wrapped.toString('base64url')}.`)).toBe(true);
  });

  it('decrypts with one KMS call per data key, passing the same context', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: wrapped });
    kms.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from(dataKey) });
    const sealed = await cipher.encrypt(['first', 'second'], context);

    const opened = await cipher.decrypt(sealed, context);

    expect(opened).toEqual(['first', 'second']);
    expect(kms.commandCalls(DecryptCommand)).toHaveLength(1);
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input).toMatchObject({
      EncryptionContext: kmsContext,
    });
  });

  it('makes no KMS call for no values, and lets a KMS failure through', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    expect(await cipher.encrypt([], context)).toEqual([]);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
    await expect(cipher.encrypt(['x'], context)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses a value sealed for another deployment even when KMS returns the key', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: wrapped });
    kms.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from(dataKey) });
    const sealed = await cipher.encrypt(['x'], context);

    await expect(cipher.decrypt(sealed, elsewhere)).rejects.toThrow();
  });
});
