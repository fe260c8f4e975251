/**
 * Replaying a create: a record made by an earlier request keeps the hash of that request (`requestHash`). A retry
 * with the same body gets the first result back; the same key with another body is refused. One rule for customers,
 * invoices, disputes, plans and staff-recorded payments.
 */
import { createHash } from 'node:crypto';
import { IdempotencyKeyReused, KEY_REUSED_MESSAGE } from './errors.ts';

export { KEY_REUSED_MESSAGE };

/** The fingerprint of a request body, kept with the record it created. */
export function requestHash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

/**
 * The stored record when `hash` is the hash of the request that created it (the store reads the pair, e.g.
 * getInvoiceForReplay); otherwise IdempotencyKeyReused (`idempotency_key_reused` by default, or the code and message
 * given, e.g. for a natural key).
 */
export function replayed<T>(
  existing: { entity: T; requestHash?: string },
  hash: string,
  refusal: { code: string; message: string } = { code: 'idempotency_key_reused', message: KEY_REUSED_MESSAGE },
): T {
  if (existing.requestHash !== hash) throw new IdempotencyKeyReused(refusal.code, refusal.message);
  return existing.entity;
}
