import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '../../core/webhooks/ports.ts';

/**
 * Standard Webhooks' symmetric signature, by its reference library (`standardwebhooks`, the one
 * receivers verify with): `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">` under each
 * signing secret, space-separated (a rotation's overlap sends two).
 */
export const standardWebhooksSigner: WebhookSigner = {
  sign: (secrets, messageId, at, body) =>
    secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(' '),
  // The library decodes what follows `whsec_` as base64: 32 random bytes (the spec asks 24–64).
  newSecret: () => `whsec_${randomBytes(32).toString('base64')}`,
};
