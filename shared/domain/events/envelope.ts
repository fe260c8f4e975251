/**
 * Events out: the envelope every event leaving the system carries (on EventBridge as the `detail`, to webhook
 * subscribers as the body). Pure: the id is derived from the event's type and a natural key of the change it reports,
 * so a retried change or a re-published event carries the same id and consumers can de-duplicate on it.
 *
 * The catalog (catalog.ts) gathers each area's event specs (payments.ts, casework.ts, collections.ts): a version and
 * a zod schema of `data`, from which the JSON Schemas in docs/events/ are generated.
 */
import { createHash } from 'node:crypto';
import type { z } from 'zod';

/** EventBridge `source` of every event. */
export const EVENT_SOURCE = 'collections';

export const EVENT_TYPES = [
  'invoice.issued',
  'invoice.paid',
  'invoice.reopened',
  'payment.received',
  'payment.applied',
  'payment.needs_review',
  'payment.refunded',
  'dispute.opened',
  'dispute.resolved',
  'promise.made',
  'promise.kept',
  'promise.broken',
  'plan.created',
  'plan.completed',
  'plan.defaulted',
  'reminder.sent',
  'interest.charged',
  'collections.escalated',
  'customer.mail_suppressed',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface EventEnvelope<D extends Record<string, unknown> = Record<string, unknown>> {
  /** `evt_` + 22 base64url characters: the same for every delivery and re-publication of this event. */
  id: string;
  type: EventType;
  /** The schema version of `data` (docs/events/<type>.v<version>.json). */
  version: number;
  /** When the change happened (ISO 8601, UTC). */
  occurredAt: string;
  /** The customer the change concerns; null for a payment from a payer not (yet) known. */
  customerId: string | null;
  /** The id that follows the request that caused the change (webhook → queue → worker → mail → event). */
  correlationId?: string;
  data: D;
}

/** The stable id of the event of `type` about the change identified by `naturalKey` (e.g. `pay_1:rev3`). */
export function eventId(type: EventType, naturalKey: string): string {
  return `evt_${createHash('sha256').update(`${type}\u0000${naturalKey}`).digest('base64url').slice(0, 22)}`;
}

export interface EventSpec {
  version: number;
  /** One sentence: when the event is sent. */
  description: string;
  data: z.ZodType<Record<string, unknown>>;
}

export type EventSpecs = Partial<Record<EventType, EventSpec>>;
