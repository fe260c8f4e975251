/**
 * The catalog of events out: every type's current version and the zod schema of its `data`. Each area owns its
 * specs (payments.ts, casework.ts, collections.ts); this module only gathers them and builds envelopes, validating
 * `data` against the documented schema (a mismatch is a bug: it throws).
 */
import { z } from 'zod';
import { casework } from './casework.ts';
import { collections } from './collections.ts';
import { EVENT_TYPES, eventId, type EventEnvelope, type EventSpec, type EventSpecs, type EventType } from './envelope.ts';
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

/** The types of EVENT_TYPES that have no spec in the catalog yet (an empty list once every area has written its own). */
export function typesWithoutSpec(): EventType[] {
  return EVENT_TYPES.filter((t) => !eventCatalog[t]);
}

/**
 * The whole envelope of one type at its current version, as a zod schema: the JSON Schemas in docs/events/ are
 * generated from it (local/event-schemas.ts), and it checks an envelope as a consumer would.
 */
export function envelopeSchema(type: EventType) {
  const spec = eventSpec(type);
  return z
    .object({
      id: z
        .string()
        .regex(/^evt_[A-Za-z0-9_-]{22}$/)
        .describe('The event id: the same on every delivery and re-publication of this event — de-duplicate on it'),
      type: z.literal(type).describe('The event type (also the EventBridge detail-type)'),
      version: z.literal(spec.version).describe('The version of `data`\'s schema; a breaking change is a new version'),
      occurredAt: z.iso.datetime({ offset: true }).describe('When the change happened (ISO 8601, UTC); order events by it, not by arrival'),
      customerId: z.string().nullable().describe('The customer the change concerns; null for a payment from a payer not (yet) known'),
      correlationId: z
        .string()
        .optional()
        .describe('The id of the request or run that caused the change (the same in our logs, queue messages and mails)'),
      data: spec.data.describe(spec.description),
    })
    .strict()
    .describe(spec.description);
}
