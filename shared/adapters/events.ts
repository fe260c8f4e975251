import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBusName } from '../config/runtime.ts';

let client: EventBridgeClient | undefined;

export interface DomainEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
  time: string;
}

/**
 * Publishes one event to the EventBridge bus named by EVENT_BUS_NAME and returns its EventBridge id. With the bus name
 * `local` (the local runtime: there is no EventBridge emulator) nothing leaves the process: the event stays recorded
 * in the table's outbox and the id is `local:<time>`.
 */
export async function publishEvent(event: DomainEvent): Promise<string> {
  const bus = eventBusName();
  if (bus === 'local') return `local:${event.time}`;
  client ??= new EventBridgeClient({});
  const out = await client.send(
    new PutEventsCommand({
      Entries: [
        { EventBusName: bus, Source: event.source, DetailType: event.detailType, Detail: JSON.stringify(event.detail), Time: new Date(event.time) },
      ],
    }),
  );
  const entry = out.Entries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    throw new Error(`EventBridge refused the event: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim());
  }
  return entry.EventId;
}
