import { randomBytes } from 'node:crypto';
import { DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { contextText, sealWith } from '../../functions/adapters/crypto/aes-gcm.ts';
import { kmsSecretCipher } from '../../functions/adapters/crypto/kms-cipher.ts';
import { localSecretCipher } from '../../functions/adapters/crypto/local-cipher.ts';

const context = { tenant: 't-a', projectId: 'p-1', deploymentId: 'd-1' };
const elsewhere = { tenant: 't-a', projectId: 'p-1', deploymentId: 'd-2' };
/** The same project and deployment ids under another tenant. */
const otherTenant = { tenant: 't-b', projectId: 'p-1', deploymentId: 'd-1' };

describe('local secret cipher (AES-256-GCM, key in the data folder)', () => {
  const randomKey = randomBytes(32).toString('base64');
  const cipher = localSecretCipher(() => randomKey);

  it('round-trips values and never stores them in clear', async () => {
    const sealed = await cipher.encrypt(['s3cr3t-canary', 's3cr3t-canary'], context);

    expect(sealed.join()).not.toContain('s3cr3t');
    expect(sealed[0]).not.toBe(sealed[1]);
    for (const value of sealed) expect(value.startsWith('v2.local.')).toBe(true);
    expect(await cipher.decrypt(sealed, context)).toEqual(['s3cr3t-canary', 's3cr3t-canary']);
  });

  it('refuses a value moved to another deployment or tenant, or altered', async () => {
    const [sealed = ''] = await cipher.encrypt(['value'], context);
    // Flip one character inside the ciphertext body (not the last, whose low bits may be padding).
    const at = sealed.length - 2;
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;

    await expect(cipher.decrypt([sealed], elsewhere)).rejects.toThrow();
    await expect(cipher.decrypt([sealed], otherTenant)).rejects.toThrow();
    await expect(cipher.decrypt([altered], context)).rejects.toThrow();
  });

  it('still opens a value sealed before the tenant was in the context (v1), for its deployment only', async () => {
    const key = Buffer.from(randomKey, 'base64');
    const v1 = `v1.local.${sealWith(key, 'older', contextText({ projectId: 'p-1', deploymentId: 'd-1' }))}`;

    expect(await cipher.decrypt([v1], context)).toEqual(['older']);
    await expect(cipher.decrypt([v1], elsewhere)).rejects.toThrow();
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
  const kmsContext = { 'slipway:tenant': 't-a', 'slipway:project': 'p-1', 'slipway:deployment': 'd-1' };

  afterEach(() => kms.reset());

  it('asks KMS for one data key per call, bound to the tenant, project and deployment', async () => {
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
      expect(value.startsWith(`v2.kms.${wrapped.toString('base64url')}.`)).toBe(true);
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

  it('opens a value sealed before the tenant was in the context (v1) with the context it was sealed with', async () => {
    const v1Context = { 'slipway:project': 'p-1', 'slipway:deployment': 'd-1' };
    const v1 = `v1.kms.${wrapped.toString('base64url')}.${sealWith(dataKey, 'older', contextText(v1Context))}`;
    kms.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from(dataKey) });

    const opened = await cipher.decrypt([v1], context);

    expect(opened).toEqual(['older']);
    expect(kms.commandCalls(DecryptCommand)[0]?.args[0].input.EncryptionContext).toEqual(v1Context);
  });

  it('makes no KMS call for no values, and lets a KMS failure through', async () => {
    kms
      .on(GenerateDataKeyCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    expect(await cipher.encrypt([], context)).toEqual([]);
    expect(kms.commandCalls(GenerateDataKeyCommand)).toHaveLength(0);
    await expect(cipher.encrypt(['x'], context)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('refuses a value sealed for another deployment or tenant even when KMS returns the key', async () => {
    kms.on(GenerateDataKeyCommand).resolves({ Plaintext: Uint8Array.from(dataKey), CiphertextBlob: wrapped });
    kms.on(DecryptCommand).resolves({ Plaintext: Uint8Array.from(dataKey) });
    const sealed = await cipher.encrypt(['x'], context);

    await expect(cipher.decrypt(sealed, elsewhere)).rejects.toThrow();
    await expect(cipher.decrypt(sealed, otherTenant)).rejects.toThrow();
    expect(kms.commandCalls(DecryptCommand)[1]?.args[0].input.EncryptionContext).toEqual({
      ...kmsContext,
      'slipway:tenant': 't-b',
    });
  });

  it('refuses a value that is not KMS-encrypted', async () => {
    await expect(cipher.decrypt(['v1.local.abc.def'], context)).rejects.toThrow(/Not a KMS-encrypted value/);
  });
});
