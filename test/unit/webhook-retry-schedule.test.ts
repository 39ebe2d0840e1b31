/** The webhook retry schedule: Standard Webhooks' steps with full jitter inside each, and Retry-After. */
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import {
  MAX_ATTEMPTS,
  parseRetryAfter,
  RETRY_STEPS_MS,
  retryDelayMs,
} from '../../functions/core/webhooks/retry-schedule.ts';

const timing = (random: number, scale = 1) => ({ scale, random: () => random });
const S = 1000;
const M = 60 * S;
const H = 60 * M;

describe('the webhook retry schedule', () => {
  it('retries after 5 s, 5 min, 30 min, 2 h, 5 h and 10 h at most, then gives up (seven attempts)', () => {
    const latest = [1, 2, 3, 4, 5, 6, 7].map((attempt) => retryDelayMs(attempt, timing(1)));

    expect(latest).toEqual([5 * S, 5 * M, 30 * M, 2 * H, 5 * H, 10 * H, undefined]);
    expect(MAX_ATTEMPTS).toBe(7);
  });

  test.prop([fc.integer({ min: 1, max: 6 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })])(
    'jitters each retry between the step before it and its own (never under a second)',
    (attempt, random) => {
      const delay = retryDelayMs(attempt, timing(random)) ?? -1;
      const floor = Math.max(RETRY_STEPS_MS[attempt - 2] ?? 0, 1000);

      expect(delay).toBeGreaterThanOrEqual(floor);
      expect(delay).toBeLessThanOrEqual(RETRY_STEPS_MS[attempt - 1] ?? 0);
    },
  );

  it('spreads retries that fail together (full jitter)', () => {
    const delays = new Set(
      Array.from({ length: 50 }, () => retryDelayMs(3, { scale: 1, random: Math.random })),
    );

    expect(delays.size).toBeGreaterThan(40);
  });

  it('scales every step for tests (0.001: 5 minutes become 300 ms)', () => {
    expect(retryDelayMs(2, timing(1, 0.001))).toBe(300);
    expect(retryDelayMs(6, timing(1, 0.001))).toBe(36_000);
  });

  it('waits as long as Retry-After asks when that is longer, up to a day', () => {
    expect(retryDelayMs(1, timing(0.5), 60 * S)).toBe(60 * S);
    expect(retryDelayMs(1, timing(1), 1 * S)).toBe(5 * S);
    expect(retryDelayMs(1, timing(0), 7 * 24 * H)).toBe(24 * H);
    expect(retryDelayMs(7, timing(0), 60 * S)).toBeUndefined();
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-12-07T10:00:00Z');

    expect(parseRetryAfter('120', now)).toBe(120 * S);
    expect(parseRetryAfter('Mon, 07 Dec 2026 10:05:00 GMT', now)).toBe(5 * M);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});
