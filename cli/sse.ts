/** Server-Sent Events read from a fetch response, parsed by eventsource-parser. */
import { type EventSourceMessage, EventSourceParserStream } from 'eventsource-parser/stream';

/** Each event of the response's body, as it arrives, until the server closes the stream. */
export async function* serverSentEvents(response: Response): AsyncGenerator<EventSourceMessage> {
  if (!response.body) return;
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const event of events) yield event;
}
