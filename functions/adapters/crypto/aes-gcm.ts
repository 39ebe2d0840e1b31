import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM with a random 96-bit IV and the encryption context as additional authenticated
 * data: a value moved to another deployment, or altered, fails to decrypt. Output:
 * base64url(iv) '.' base64url(ciphertext || tag).
 */
const IV_BYTES = 12;
const TAG_BYTES = 16;

export const sealWith = (key: Buffer, plaintext: string, aad: string): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${iv.toString('base64url')}.${body.toString('base64url')}`;
};

export const openWith = (key: Buffer, sealed: string, aad: string): string => {
  const [ivText, bodyText] = sealed.split('.');
  if (!ivText || !bodyText) throw new Error('Malformed ciphertext');
  const body = Buffer.from(bodyText, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(ivText, 'base64url'));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(body.subarray(0, body.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
};

/** The context as stable text: the same fields always give the same bytes. */
export const contextText = (context: Record<string, string>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(context).sort(([a], [b]) => a.localeCompare(b))));
