/**
 * Signing secrets: sealed with the secret cipher under a context naming the tenant and the
 * subscription (so a sealed secret opens for no other subscription, and on AWS no hosted
 * deployment's role may open it), shown once, and rotated with an overlap: the secret a
 * rotation replaces keeps signing beside the new one for 24 hours (Standard Webhooks: both
 * signatures in `webhook-signature`), then only the new one signs.
 */
import type { EncryptionContext, SecretCipher } from '../deployments/ports.ts';
import { ROTATION_OVERLAP_MS, type StoredSecret, type Subscription } from './model.ts';

/** `projectId` is fixed: a subscription may cover a whole store, and its secret is its own. */
export const secretContext = (tenant: string, subscriptionId: string): EncryptionContext => ({
  tenant,
  projectId: 'webhooks',
  deploymentId: `webhook-${subscriptionId}`,
});

export const sealSecret = async (
  cipher: SecretCipher,
  tenant: string,
  subscriptionId: string,
  secret: string,
  now: string,
): Promise<StoredSecret> => {
  const [ciphertext] = await cipher.encrypt([secret], secretContext(tenant, subscriptionId));
  if (ciphertext === undefined) throw new Error('The cipher sealed nothing');
  return { ciphertext, createdAt: now };
};

/** The secrets that sign at `now`: the current one, and any rotated out less than 24 hours ago. */
export const signingSecrets = (subscription: Subscription, now: Date): StoredSecret[] =>
  subscription.secrets.filter(
    (s, i) => i === 0 || (s.expiresAt !== undefined && Date.parse(s.expiresAt) > now.getTime()),
  );

/** The secrets after a rotation: the new one first; the replaced one signs until the overlap ends. */
export const afterRotation = (subscription: Subscription, fresh: StoredSecret, now: Date): StoredSecret[] => {
  const until = new Date(now.getTime() + ROTATION_OVERLAP_MS).toISOString();
  const [current, ...older] = signingSecrets(subscription, now);
  return [fresh, ...(current ? [{ ...current, expiresAt: until }] : []), ...older];
};

export const openSecrets = (
  cipher: Pick<SecretCipher, 'decrypt'>,
  subscription: Subscription,
  secrets: StoredSecret[],
): Promise<string[]> =>
  cipher.decrypt(
    secrets.map((s) => s.ciphertext),
    secretContext(subscription.tenant, subscription.id),
  );
