/**
 * How hosted applications are reached, the same locally and on AWS: an application's paths,
 * and the Google Cloud Pub/Sub push body an event application is sent (Connect's event
 * applications are written for Pub/Sub push subscriptions).
 */

/** `service`, `/service`, `//service` → `/service`; absent or empty → `fallback`. */
export const normalisePath = (path: string | undefined, fallback: string): string =>
  path === undefined || path === '' ? fallback : `/${path.replace(/^\/+/, '')}`;

export interface PushedMessage {
  /** The message as published (bytes or text), before base64. */
  data: string | Buffer;
  messageId: string;
  /** ISO 8601. */
  publishTime: string;
  attributes: Record<string, string>;
  /** The subscription (locally the topic, on AWS the queue's ARN). */
  subscription: string;
}

/**
 * The body of a Pub/Sub push request. Pub/Sub sends both spellings of the message fields
 * (`messageId` and `message_id`), and applications read either.
 */
export const pubSubPushBody = (m: PushedMessage): string =>
  JSON.stringify({
    message: {
      data: Buffer.from(m.data).toString('base64'),
      messageId: m.messageId,
      message_id: m.messageId,
      publishTime: m.publishTime,
      publish_time: m.publishTime,
      attributes: m.attributes,
    },
    subscription: m.subscription,
  });

/**
 * On AWS an event application's messages reach its function from an SQS queue, through the
 * Web Adapter, which POSTs each SQS event to this path of the bridge in front of the
 * application (`functions/builds/pubsub-bridge.ts`); the bridge turns each record into a Pub/Sub
 * push to the application's endpoint, named by `EVENT_ENDPOINT_VARIABLE`.
 */
export const EVENTS_BRIDGE_PATH = '/.slipway/events';
export const EVENT_ENDPOINT_VARIABLE = 'SLIPWAY_EVENT_ENDPOINT';
