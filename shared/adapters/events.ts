import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { eventBusName } from '../config/runtime.ts';
import { EVENT_SOURCE, type EventEnvelope } from '../domain/events/envelope.ts';
import { recordLocalPublications } from '../store/local-bus.ts';

let client: EventBridgeClient | undefined;

/** The client PutEvents goes through (one per container; the crash tests wrap its `send` to inject faults). */
export function eventBridge(): EventBridgeClient {
  client ??= new EventBridgeClient({});
  return client;
}

/** PutEvents takes at most 10 entries a request. */
export const PUT_EVENTS_MAX_ENTRIES = 10;
/** EventBridge refuses an entry over 256 KB (source, detail-type, detail, resources and time counted in UTF-8). */
export const PUT_EVENTS_MAX_ENTRY_BYTES = 256 * 1024;

/** An envelope as one PutEvents entry: source `collections`, detail-type = the event type, detail = the whole envelope. */
export function eventBridgeEntry(bus: string, event: EventEnvelope): PutEventsRequestEntry {
  return { EventBusName: bus, Source: EVENT_SOURCE, DetailType: event.type, Detail: JSON.stringify(event), Time: new Date(event.occurredAt) };
}

/** The size EventBridge counts for an entry (as its documentation computes it). */
export function entrySize(entry: PutEventsRequestEntry): number {
  return (
    14 /* Time */ +
    Buffer.byteLength(entry.Source ?? '') +
    Buffer.byteLength(entry.DetailType ?? '') +
    Buffer.byteLength(entry.Detail ?? '') +
    (entry.Resources ?? []).reduce((n, r) => n + Buffer.byteLength(r), 0)
  );
}

/** An event EventBridge can never take (too large): retrying cannot help, so it is a permanent error. */
export class EventTooLargeError extends Error {
  override readonly name = 'EventTooLargeError';
  readonly permanent = true;
  constructor(readonly eventId: string, readonly bytes: number) {
    super(`event ${eventId} is ${bytes} bytes; EventBridge takes at most ${PUT_EVENTS_MAX_ENTRY_BYTES}`);
  }
}

/**
 * Publishes envelopes to the bus named by EVENT_BUS_NAME, in chunks of 10 entries (PutEvents' limit). Entries
 * EventBridge refuses (throttled, internal failure) are retried in the same call a few times; if some still fail,
 * this throws — the caller (the outbox relay) leaves the record pending and the stream or the sweep publishes it
 * again. Entries that did go out then go out twice, with the same envelope ids (at-least-once; consumers de-duplicate
 * on `id`).
 *
 * With the bus `local` (the local runtime: no EventBridge emulator) each publication is recorded in the table's local
 * bus instead (shared/store/local-bus.ts; listed by GET /local/events).
 */
export async function publishEvents(events: readonly EventEnvelope[], now: Date): Promise<void> {
  if (events.length === 0) return;
  const bus = eventBusName();
  if (bus === 'local') return recordLocalPublications(events, now);
  const entries = events.map((e) => {
    const entry = eventBridgeEntry(bus, e);
    const bytes = entrySize(entry);
    if (bytes > PUT_EVENTS_MAX_ENTRY_BYTES) throw new EventTooLargeError(e.id, bytes);
    return entry;
  });
  for (let i = 0; i < entries.length; i += PUT_EVENTS_MAX_ENTRIES) {
    let chunk = entries.slice(i, i + PUT_EVENTS_MAX_ENTRIES);
    for (let attempt = 1; chunk.length > 0; attempt++) {
      const out = await eventBridge().send(new PutEventsCommand({ Entries: chunk }));
      if (!out.FailedEntryCount) break;
      // Results come back in entry order; an entry with an ErrorCode was not put.
      const failed = chunk.filter((_e, n) => out.Entries?.[n]?.ErrorCode);
      if (attempt >= 3) {
        const first = out.Entries?.find((e) => e.ErrorCode);
        throw new Error(`EventBridge refused ${failed.length} of ${chunk.length} events: ${first?.ErrorCode ?? 'unknown'} ${first?.ErrorMessage ?? ''}`.trim());
      }
      chunk = failed;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}
