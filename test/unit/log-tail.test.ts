import { describe, expect, it } from 'vitest';
import { logTail, type StoreLogEntry, TAIL_LATENESS_MS } from '../../functions/core/store/logs.ts';

const START = Date.parse('2026-12-01T10:00:00.000Z');
const entry = (uuid: string, offsetMs: number): StoreLogEntry => ({
  uuid,
  project_uuid: 'p',
  request: null,
  logs: [],
  exceptions: [],
  timestamp: new Date(START + offsetMs).toISOString(),
});

describe('a live log tail', () => {
  it('sends what is new once, oldest first, and nothing from before it began', () => {
    const tail = logTail(START);
    expect(tail.take([entry('b', 20), entry('old', -5), entry('a', 10)]).map((e) => e.uuid)).toEqual([
      'a',
      'b',
    ]);
    expect(tail.take([entry('a', 10), entry('b', 20), entry('c', 30)]).map((e) => e.uuid)).toEqual(['c']);
  });

  it('reads back far enough to see a line that lands behind newer ones', () => {
    const tail = logTail(START);
    tail.take([entry('request', 5_000)]);
    // The app's line was written at 4.9 s but reached storage after the request's.
    expect(Date.parse(tail.window(START + 6_000).from)).toBeLessThanOrEqual(START + 4_900);
    expect(tail.take([entry('request', 5_000), entry('app line', 4_900)]).map((e) => e.uuid)).toEqual([
      'app line',
    ]);
  });

  it('never reads before it began, and forgets what falls out of its window', () => {
    const tail = logTail(START);
    expect(tail.window(START).from).toBe(new Date(START).toISOString());
    tail.take([entry('a', 1_000), entry('z', 1_000 + 3 * TAIL_LATENESS_MS)]);
    expect(Date.parse(tail.window(START).from)).toBe(START + 1_000 + 2 * TAIL_LATENESS_MS);
    // 'a' is before the window now, so it is no longer remembered (the memory stays bounded):
    // were it read again (a read of the window cannot return it), it would count as new.
    expect(tail.take([entry('a', 1_000)]).map((e) => e.uuid)).toEqual(['a']);
  });
});
