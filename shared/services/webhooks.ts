/**
 * Signed webhooks to subscribers (Standard Webhooks). CONTRACT STUB — the webhooks work fills this in.
 */
import type { EventEnvelope } from '../domain/events/envelope.ts';

/**
 * Called by the outbox relay once events are published: records one delivery per (active subscription whose types
 * match, event) — idempotent, so an event published twice is delivered once per subscriber — and queues it.
 */
export async function enqueueDeliveries(events: readonly EventEnvelope[], now: Date): Promise<number> {
  void events;
  void now;
  return 0;
}
