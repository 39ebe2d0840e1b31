import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DomainEvent, DomainEvents } from '../../core/shared/domain-events.ts';

/** The `source` of every event Slipway puts on its bus; rules match on it. */
export const EVENT_SOURCE = 'slipway';

let client: EventBridgeClient | undefined;

/** What an event is about, for a log line that names no content: its deployment or connector. */
const subjectOf = (event: DomainEvent) =>
  event.type === 'ConnectorPublished' ? event.connectorId : event.deploymentId;
const logger = new Logger({ serviceName: 'slipway' });

/**
 * Domain events on the stack's EventBridge bus (AWS): `source` `slipway`, `detail-type` the
 * event's type (`DeploymentStatusChanged`…), `detail` the event as `core/shared/domain-events.ts`
 * defines it, `resources` empty. The schema is documented in docs/aws.md ("Domain events").
 *
 * Publishing never fails the change that caused it (see `DomainEvents`): a refused or failed
 * put is logged, with the event's ids and not its content, and the change stands.
 */
export const eventBridgeDomainEvents = (busName: () => string): DomainEvents => ({
  async publish(event: DomainEvent) {
    client ??= new EventBridgeClient({});
    try {
      const { FailedEntryCount, Entries } = await client.send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: busName(),
              Source: EVENT_SOURCE,
              DetailType: event.type,
              Detail: JSON.stringify(event),
              Time: new Date(event.at),
            },
          ],
        }),
      );
      if (FailedEntryCount)
        logger.warn('domain event refused by the bus', {
          type: event.type,
          subject: subjectOf(event),
          errorCode: Entries?.[0]?.ErrorCode,
        });
    } catch (error) {
      logger.warn('domain event not published', {
        type: event.type,
        subject: subjectOf(event),
        error: (error as Error).name,
      });
    }
  },
});
