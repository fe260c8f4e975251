/**
 * The catalog of events out: every type's current version and the zod schema of its `data`. Each area owns its
 * specs (payments.ts, casework.ts, collections.ts); this module only gathers them and builds envelopes, validating
 * `data` against the documented schema (a mismatch is a bug: it throws).
 */
import { casework } from './casework.ts';
import { collections } from './collections.ts';
import { eventId, type EventEnvelope, type EventSpec, type EventSpecs, type EventType } from './envelope.ts';
import { payments } from './payments.ts';

export const eventCatalog: EventSpecs = { ...payments, ...casework, ...collections };

export function eventSpec(type: EventType): EventSpec {
  const spec = eventCatalog[type];
  if (!spec) throw new Error(`event type ${type} has no spec in shared/domain/events`);
  return spec;
}

/**
 * A new event: `naturalKey` identifies the change (the same change always gives the same id), `data` is checked
 * against the type's schema.
 */
export function newEvent(
  type: EventType,
  naturalKey: string,
  data: Record<string, unknown>,
  at: { occurredAt: string; customerId: string | null; correlationId?: string },
): EventEnvelope {
  const spec = eventSpec(type);
  return {
    id: eventId(type, naturalKey),
    type,
    version: spec.version,
    occurredAt: at.occurredAt,
    customerId: at.customerId,
    ...(at.correlationId ? { correlationId: at.correlationId } : {}),
    data: spec.data.parse(data),
  };
}
