/**
 * Replaying a create: a record made by an earlier request keeps the hash of that request (`requestHash`, see
 * http/api.ts). A retry with the same body gets the first result back; the same key with another body is refused.
 * One rule for customers, invoices, disputes and staff-recorded payments.
 */
import { HttpError } from '../http/api.ts';

export const KEY_REUSED_MESSAGE = 'Idempotency-Key was already used with a different request';

/**
 * The stored record without its request hash when `hash` is the hash it was created with; otherwise a 409
 * (`idempotency_key_reused` by default, or the code and message given, e.g. for a natural key).
 */
export function replayed<T extends { requestHash?: string }>(
  existing: T,
  hash: string,
  refusal: { code: string; message: string } = { code: 'idempotency_key_reused', message: KEY_REUSED_MESSAGE },
): Omit<T, 'requestHash'> {
  if (existing.requestHash !== hash) throw new HttpError(409, refusal.code, refusal.message);
  const { requestHash: _h, ...record } = existing;
  return record;
}
