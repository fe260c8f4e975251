import { createHash, randomBytes, randomUUID } from 'node:crypto';

/** Random id with a type prefix: `cus_…`, `inv_…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replaceAll('-', '')}`;
}

/** Stable id from a key (idempotency key, provider id): the same key always yields the same id. */
export function stableId(prefix: string, key: string): string {
  return `${prefix}_${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

/** 12 random characters A–Z/0–9 for an RF reference body. */
export function randomReferenceBody(length = 12): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789';
  const bytes = randomBytes(length);
  let out = '';
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}
