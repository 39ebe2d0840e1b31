/**
 * Reads a BigCommerce deployment's events stream to its outcome with a standard SSE parser
 * (`eventsource-parser`), reconnecting when the server closes a quiet stream (after 30 s by
 * default, `SLIPWAY_EVENT_STREAM_SECONDS`; on AWS the function URL's own limit), as a client
 * must. Each reconnect replays the whole trail, which is harmless: only the outcome decides.
 */
import { setTimeout as pause } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import { describe, failureOf, printable, SmokeError } from './http.ts';

/** One event, as docs/bigcommerce-api.md#events describes it. */
export interface StoreEvent {
  deployment_uuid: string;
  deployment_status: 'queued' | 'in_progress' | 'completed' | 'failed';
  event: { step: string; progress: number } | null;
  error?: { code: number; message: string };
  deployment_url: string | null;
  deployment_hostnames: string[];
}

/** Reads until `completed` (returned with the steps seen) or `failed` (thrown, naming its error). */
export const readToOutcome = async (
  url: string,
  headers: Record<string, string>,
  deadline: number,
  signal: AbortSignal,
): Promise<{ outcome: StoreEvent; steps: string[] }> => {
  const steps: string[] = [];
  let outcome: StoreEvent | undefined;
  let malformed: string | undefined;
  let events = 0;
  const parser = createParser({
    onEvent: ({ data }) => {
      let event: StoreEvent;
      try {
        event = JSON.parse(data) as StoreEvent;
      } catch {
        malformed ??= data.slice(0, 200);
        return;
      }
      events++;
      const step = event.event?.step;
      if (step !== undefined && !steps.includes(step)) steps.push(step);
      if (event.deployment_status === 'completed' || event.deployment_status === 'failed') outcome = event;
    },
  });
  // A connection that drops mid-stream is opened again, as a client would, a few times in a row at most.
  let drops = 0;
  while (outcome === undefined) {
    if (Date.now() >= deadline)
      throw new SmokeError(`no outcome within --timeout (steps seen: ${steps.join(' → ') || 'none'})`);
    const limit = AbortSignal.any([signal, AbortSignal.timeout(deadline - Date.now())]);
    try {
      const response = await fetch(url, {
        headers: { ...headers, accept: 'text/event-stream' },
        signal: limit,
      });
      if (!response.ok || !response.body) {
        const text = await response.text();
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {}
        throw failureOf('GET', url, { status: response.status, text, body });
      }
      const type = response.headers.get('content-type') ?? '';
      if (!type.startsWith('text/event-stream'))
        throw new SmokeError(
          `GET ${printable(url)} answered ${type || 'no content type'}, not an event stream`,
        );
      const seen = events;
      const decoder = new TextDecoder();
      parser.reset();
      for await (const chunk of response.body) {
        drops = 0;
        parser.feed(decoder.decode(chunk, { stream: true }));
        if (malformed !== undefined) throw new SmokeError(`an event is not JSON: ${malformed}`);
        if (outcome !== undefined) break;
      }
      // A stream that closed without an event is not asked again at once.
      if (outcome === undefined && events === seen) await pause(1000, undefined, { signal: limit });
    } catch (error) {
      if (error instanceof SmokeError) throw error;
      if (limit.aborted && !signal.aborted) continue; // the deadline: reported at the top of the loop
      if (!signal.aborted && ++drops < 3) continue;
      throw new SmokeError(`GET ${printable(url)}: ${describe(error)}`);
    }
  }
  if (outcome.deployment_status === 'failed')
    throw new SmokeError(
      `the deployment failed after ${steps.join(' → ') || 'no step'}: ` +
        (outcome.error ? `code ${outcome.error.code}: ${outcome.error.message}` : 'no error given'),
    );
  return { outcome, steps };
};
