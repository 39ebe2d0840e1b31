/**
 * Signing per Standard Webhooks, checked with the reference library's own `verify`, and the
 * overlap of a secret rotation on an injected clock: both secrets sign for 24 hours, then only
 * the new one.
 */
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { standardWebhooksSigner as signer } from '../../functions/adapters/webhooks/signer.ts';
import { webhookHeaders } from '../../functions/core/webhooks/dispatcher.ts';
import type { Subscription } from '../../functions/core/webhooks/model.ts';
import { afterRotation, signingSecrets } from '../../functions/core/webhooks/secrets.ts';

const at = (iso: string) => new Date(iso);

/** A subscription whose "ciphertexts" are the secrets themselves (the cipher is not under test). */
const subscription = (secrets: Subscription['secrets']): Subscription => ({
  id: 'sub-1',
  tenant: 't',
  scope: { kind: 'store' },
  url: 'https://hooks.example.com/in',
  events: ['deployment.deployed'],
  active: true,
  secrets,
  version: 1,
  createdAt: '2026-12-01T00:00:00.000Z',
  lastModifiedAt: '2026-12-01T00:00:00.000Z',
});

/** Whether the library accepts the request with `secret`, at the attempt's own time. */
const verifies = (secret: string, headers: Record<string, string>, body: string, now: Date) => {
  const realNow = Date.now;
  Date.now = () => now.getTime(); // the library checks the timestamp against the clock
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  } finally {
    Date.now = realNow;
  }
};

describe('webhook signatures', () => {
  it('makes secrets the library reads: whsec_ and 32 random bytes', () => {
    const a = signer.newSecret();

    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(signer.newSecret()).not.toBe(a);
  });

  it('signs id, time and body so that the library verifies them, and nothing altered', () => {
    const secret = signer.newSecret();
    const now = at('2026-12-07T10:00:00Z');
    const body = '{"id":"msg_1","type":"webhook.ping","timestamp":"2026-12-07T10:00:00.000Z","data":{}}';
    const headers = webhookHeaders(signer, [secret], 'msg_1', now, body);

    expect(headers).toMatchObject({
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(now.getTime() / 1000),
      'webhook-signature': expect.stringMatching(/^v1,[A-Za-z0-9+/]+=*$/),
      'user-agent': 'Slipway-Webhooks/1',
    });
    expect(verifies(secret, headers, body, now)).toBe(true);
    expect(verifies(secret, headers, body.replace('ping', 'pong'), now)).toBe(false);
    expect(verifies(secret, { ...headers, 'webhook-id': 'msg_2' }, body, now)).toBe(false);
    expect(verifies(signer.newSecret(), headers, body, now)).toBe(false);
  });

  it('after a rotation, signs with both secrets for 24 hours, each verifying alone, then only with the new one', () => {
    const [old, fresh] = [signer.newSecret(), signer.newSecret()];
    const rotatedAt = at('2026-12-07T10:00:00Z');
    const rotated = subscription(
      afterRotation(
        subscription([{ ciphertext: old, createdAt: '2026-12-01T00:00:00.000Z' }]),
        { ciphertext: fresh, createdAt: rotatedAt.toISOString() },
        rotatedAt,
      ),
    );
    const body = '{"type":"webhook.ping"}';
    const signedAt = (now: Date) =>
      webhookHeaders(
        signer,
        signingSecrets(rotated, now).map((s) => s.ciphertext),
        'msg_9',
        now,
        body,
      );

    const during = at('2026-12-08T09:59:59Z');
    const after = at('2026-12-08T10:00:01Z');
    const overlap = signedAt(during);
    const later = signedAt(after);

    expect(overlap['webhook-signature']?.split(' ')).toHaveLength(2);
    expect(verifies(fresh, overlap, body, during)).toBe(true);
    expect(verifies(old, overlap, body, during)).toBe(true);
    expect(later['webhook-signature']?.split(' ')).toHaveLength(1);
    expect(verifies(fresh, later, body, after)).toBe(true);
    expect(verifies(old, later, body, after)).toBe(false);
  });

  it('keeps only secrets still in their overlap when rotating again', () => {
    const t0 = at('2026-12-07T00:00:00Z');
    const t1 = at('2026-12-07T12:00:00Z');
    const t2 = at('2026-12-09T00:00:00Z');
    const once = subscription(
      afterRotation(
        subscription([{ ciphertext: 'a', createdAt: 'x' }]),
        { ciphertext: 'b', createdAt: 'y' },
        t0,
      ),
    );
    const twice = subscription(afterRotation(once, { ciphertext: 'c', createdAt: 'z' }, t1));
    const thrice = subscription(afterRotation(twice, { ciphertext: 'd', createdAt: 'w' }, t2));

    expect(signingSecrets(twice, t1).map((s) => s.ciphertext)).toEqual(['c', 'b', 'a']);
    expect(signingSecrets(thrice, t2).map((s) => s.ciphertext)).toEqual(['d', 'c']);
  });
});
