/**
 * Webhooks in `npm start`: the same two functions as on AWS, fed differently. Each domain event
 * of the in-process bus goes to the fan-out function as a one-record queue batch (the shape
 * the queue gives it on AWS), one after the other in the bus's order; the dispatcher function
 * runs when a fan-out, a ping or a retry asks (the in-process signal), when the next delivery
 * falls due, and on an interval besides.
 *
 * Nothing pending is lost to a crash: deliveries are in DynamoDB, and at start the dispatcher
 * resumes what a killed run held. Events the killed run published but had not fanned out yet
 * are in the bus's archive (written first, synchronously): the last hour of it is fanned out
 * again at start, which adds only what is missing (a delivery's id is derived from its event).
 */
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';

type Invoke = (name: string, event: unknown, timeoutMs?: number) => Promise<unknown>;

export interface LocalWebhooksOptions {
  invoke: Invoke;
  /** The in-process bus's archive (one JSON event a line), replayed from at start. */
  eventsFile: string;
  /** How often the dispatcher runs without being asked; 0 turns the interval off. */
  intervalMs: number;
}

/** How far back the archive is replayed at start, and how much of its end is read. */
const REPLAY_WINDOW_MS = 3_600_000;
const REPLAY_TAIL_BYTES = 1024 * 1024;
/** Runs of the dispatcher at once: a slow receiver holds one, the others go on. */
const MAX_RUNS = 4;
/** The dispatcher's time limit, as its Lambda function has it (a run takes nothing new after 90 s). */
const DISPATCHER_TIMEOUT_MS = 120_000;

/** A batch as the queue would give it to the fan-out on AWS: each body an EventBridge event. */
const queueBatch = (events: { type: string; at: string }[]) => ({
  Records: events.map((detail) => ({
    messageId: randomUUID(),
    body: JSON.stringify({
      id: randomUUID(),
      source: 'slipway',
      'detail-type': detail.type,
      time: detail.at,
      detail,
    }),
  })),
});

/** The archive's recent events (its last megabyte, the last hour), oldest first. */
const recentEvents = (file: string, now: number): { type: string; at: string }[] => {
  if (!existsSync(file)) return [];
  const size = statSync(file).size;
  const length = Math.min(size, REPLAY_TAIL_BYTES);
  const buffer = Buffer.alloc(length);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, length, size - length);
  } finally {
    closeSync(fd);
  }
  const lines = buffer.toString('utf8').split('\n');
  if (length < size) lines.shift(); // The first line may be cut.
  return lines.flatMap((line) => {
    try {
      const event = JSON.parse(line) as { type?: unknown; at?: unknown };
      return typeof event.type === 'string' &&
        typeof event.at === 'string' &&
        now - Date.parse(event.at) < REPLAY_WINDOW_MS
        ? [event as { type: string; at: string }]
        : [];
    } catch {
      return [];
    }
  });
};

/** Starts the fan-out and the dispatcher; answers what stops them. */
export const startLocalWebhooks = async (options: LocalWebhooksOptions): Promise<() => Promise<void>> => {
  const { localEventBus, DOMAIN_EVENT } = await import('../adapters/events/local-bus.ts');
  const { WEBHOOKS_DUE } = await import('../adapters/webhooks/trigger.ts');
  const bus = localEventBus();
  let stopped = false;

  let runs = 0;
  let asked = false;
  // Until the first run has resumed what a killed run held, no other run takes a delivery.
  let resuming = true;
  let timer: NodeJS.Timeout | undefined;
  const dispatch = (event: { resume?: true } = {}) => {
    if (stopped) return;
    if (runs >= MAX_RUNS || (resuming && !event.resume)) {
      asked = true;
      return;
    }
    runs++;
    void options
      .invoke('webhook-dispatcher', event, DISPATCHER_TIMEOUT_MS)
      .then((report) => {
        // Woken again when the next delivery falls due (a retry in 5 s needs no interval).
        const next = (report as { nextDueAt?: string } | undefined)?.nextDueAt;
        if (next === undefined || stopped) return;
        clearTimeout(timer);
        timer = setTimeout(() => dispatch(), Math.max(0, Date.parse(next) - Date.now()));
        timer.unref();
      })
      .catch(() => undefined)
      .finally(() => {
        runs--;
        if (event.resume) resuming = false;
        if (asked) {
          asked = false;
          dispatch();
        }
      });
  };
  const onDue = () => dispatch();

  // One fan-out at a time, in the bus's order.
  let chain: Promise<unknown> = Promise.resolve();
  const fanOut = (events: { type: string; at: string }[]) => {
    chain = chain.then(() => options.invoke('webhook-fan-out', queueBatch(events)).catch(() => undefined));
  };
  const onEvent = (event: { type: string; at: string }) => fanOut([event]);

  bus.on(DOMAIN_EVENT, onEvent);
  bus.on(WEBHOOKS_DUE, onDue);
  // Replayed even when empty: the fan-out's bundle is loaded before the first event needs it.
  fanOut(recentEvents(options.eventsFile, Date.now()));
  dispatch({ resume: true });
  const interval = options.intervalMs > 0 ? setInterval(() => dispatch(), options.intervalMs) : undefined;
  interval?.unref();

  return async () => {
    stopped = true;
    bus.off(DOMAIN_EVENT, onEvent);
    bus.off(WEBHOOKS_DUE, onDue);
    clearInterval(interval);
    clearTimeout(timer);
  };
};
