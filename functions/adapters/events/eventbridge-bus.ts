import { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { DeploymentStatusChanged, DomainEvents } from '../../core/deployments/ports.ts';

/** The `source` of every event Slipway puts on its bus; rules match on it. */
export const EVENT_SOURCE = 'slipway';

let client: EventBridgeClient | undefined;
const logger = new Logger({ serviceName: 'slipway' });

/**
 * Domain events on the stack's EventBridge bus (AWS): `source` `slipway`, `detail-type` the
 * event's type (`DeploymentStatusChanged`), `detail` the event as `core/deployments/ports.ts`
 * defines it, `resources` empty. The schema is documented in docs/aws.md ("Domain events").
 *
 * Publishing never fails the change that caused it (see `DomainEvents`): a refused or failed
 * put is logged, with the event's ids and not its content, and the change stands.
 */
export const eventBridgeDomainEvents = (busName: () => string): DomainEvents => ({
  async publish(event: DeploymentStatusChanged) {
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
          deploymentId: event.deploymentId,
          errorCode: Entries?.[0]?.ErrorCode,
        });
    } catch (error) {
      logger.warn('domain event not published', {
        type: event.type,
        deploymentId: event.deploymentId,
        error: (error as Error).name,
      });
    }
  },
});
