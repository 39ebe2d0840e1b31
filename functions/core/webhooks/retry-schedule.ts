/**
 * When a failed delivery is tried again: Standard Webhooks' schedule (5 s, 5 min, 30 min, 2 h,
 * 5 h, 10 h after each failure), with full jitter inside each step so that deliveries failing
 * together do not come back together: the n-th retry falls uniformly between the step before
 * it and its own (the first between 0 and 5 s, the second between 5 s and 5 min…), never
 * sooner than a second. After the sixth retry (the seventh attempt) fails, the delivery has
 * failed: at most 17 h 35 min after its first attempt. `Retry-After` (429, 503) pushes the
 * next attempt later, never sooner, and never past a day.
 */

export const RETRY_STEPS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000] as const;

/** The first attempt and one per step. */
export const MAX_ATTEMPTS = RETRY_STEPS_MS.length + 1;

/** How long a subscription may fail every attempt before Slipway disables it. */
export const DISABLE_AFTER_FAILING_MS = 3 * 86_400_000;

const MAX_RETRY_AFTER_MS = 86_400_000;
const MIN_DELAY_MS = 1_000;

export interface RetryTiming {
  /** Multiplies every step: 1 in service; tests run faster (`SLIPWAY_WEBHOOKS_RETRY_SPEEDUP=1000`: 0.001, 5 min is 300 ms). */
  scale: number;
  /** A number in [0, 1): `Math.random` in service, fixed in tests. */
  random: () => number;
}

/**
 * How long to wait after the `attempt`-th attempt (1-based) failed, or undefined when it was
 * the last. `retryAfterMs` is what the receiver asked for, if anything.
 */
export const retryDelayMs = (
  attempt: number,
  timing: RetryTiming,
  retryAfterMs?: number,
): number | undefined => {
  const step = RETRY_STEPS_MS[attempt - 1];
  if (step === undefined) return undefined;
  const floor = RETRY_STEPS_MS[attempt - 2] ?? 0;
  const jittered = (floor + timing.random() * (step - floor)) * timing.scale;
  const minimum = MIN_DELAY_MS * Math.min(timing.scale, 1);
  const asked = retryAfterMs === undefined ? 0 : Math.min(retryAfterMs, MAX_RETRY_AFTER_MS);
  return Math.round(Math.max(jittered, minimum, asked));
};

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; undefined if unreadable. */
export const parseRetryAfter = (value: string | undefined, now: Date): number | undefined => {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now.getTime());
};
