/**
 * Bank webhook signatures (every bank payload: JSON, camt XML, BAI2).
 *
 *   X-Bank-Timestamp: 1767225600                      (Unix seconds when the bank signed)
 *   X-Bank-Signature: v1=<hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`)>[,v1=<…>]
 *
 * Verified over the raw bytes before anything parses the body. Several `v1=` values are accepted so that a bank can
 * sign with its old and new secret while a secret is rotated; we may likewise hold two secrets during a rotation.
 * The timestamp must lie within the tolerance (300 s) of our receipt time in either direction, so a captured request
 * cannot be replayed later.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const BANK_TIMESTAMP_HEADER = 'X-Bank-Timestamp';
export const BANK_SIGNATURE_HEADER = 'X-Bank-Signature';
export const BANK_SIGNATURE_TOLERANCE_SECONDS = 300;

/** A missing, malformed, expired or non-matching bank signature: answer 400 and store nothing. */
export class BankSignatureError extends Error {
  override name = 'BankSignatureError';
}

function hmac(rawBody: Buffer | string, secret: string, timestamp: string): Buffer {
  return createHmac('sha256', secret.trim())
    .update(`${timestamp}.`, 'utf8')
    .update(typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody)
    .digest();
}

/** The `X-Bank-Signature` value for a payload, e.g. `v1=5f2b…` (for tests, samples and the local CLI). */
export function signBankPayload(rawBody: Buffer | string, secret: string, timestampSeconds: number): string {
  if (!Number.isSafeInteger(timestampSeconds) || timestampSeconds < 0) {
    throw new RangeError('timestampSeconds must be a non-negative integer (Unix seconds)');
  }
  return `v1=${hmac(rawBody, secret, String(timestampSeconds)).toString('hex')}`;
}

/** Both headers for a payload signed now (or at `timestampSeconds`). */
export function bankSignatureHeaders(
  rawBody: Buffer | string,
  secret: string,
  timestampSeconds: number,
): Record<typeof BANK_TIMESTAMP_HEADER | typeof BANK_SIGNATURE_HEADER, string> {
  return {
    [BANK_TIMESTAMP_HEADER]: String(timestampSeconds),
    [BANK_SIGNATURE_HEADER]: signBankPayload(rawBody, secret, timestampSeconds),
  };
}

/**
 * Throws BankSignatureError unless one `v1=` value of the signature header is the HMAC of `${timestamp}.${rawBody}`
 * under `secret` (or one of `secret`s during a rotation on our side), and the timestamp is within `toleranceSeconds`
 * of `now`. An empty secret is a deployment error, not a bad request: it throws a plain Error.
 */
export function verifyBankSignature(
  rawBody: Buffer,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  secret: string | readonly string[],
  now: Date,
  toleranceSeconds: number = BANK_SIGNATURE_TOLERANCE_SECONDS,
): void {
  const secrets = (typeof secret === 'string' ? [secret] : [...secret]).map((s) => s.trim()).filter((s) => s !== '');
  if (secrets.length === 0) throw new Error('bank webhook secret is empty: set BANK_WEBHOOK_SECRET');

  const timestamp = (timestampHeader ?? '').trim();
  if (timestamp === '') throw new BankSignatureError(`missing ${BANK_TIMESTAMP_HEADER} header`);
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new BankSignatureError(`${BANK_TIMESTAMP_HEADER} must be Unix seconds, got "${timestamp.slice(0, 40)}"`);
  }
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const age = nowSeconds - Number(timestamp);
  if (age > toleranceSeconds) {
    throw new BankSignatureError(
      `${BANK_TIMESTAMP_HEADER} ${timestamp} is ${age} s old, outside the ${toleranceSeconds} s tolerance (replayed or delayed request)`,
    );
  }
  if (-age > toleranceSeconds) {
    throw new BankSignatureError(
      `${BANK_TIMESTAMP_HEADER} ${timestamp} is ${-age} s in the future, outside the ${toleranceSeconds} s tolerance (check the bank's clock)`,
    );
  }

  const header = (signatureHeader ?? '').trim();
  if (header === '') throw new BankSignatureError(`missing ${BANK_SIGNATURE_HEADER} header`);
  const candidates = header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.startsWith('v1='))
    .map((part) => part.slice(3).trim());
  if (candidates.length === 0) throw new BankSignatureError(`${BANK_SIGNATURE_HEADER} has no v1= signature`);

  const expected = secrets.map((s) => hmac(rawBody, s, timestamp));
  let matched = false;
  for (const candidate of candidates) {
    if (!/^[0-9a-fA-F]{64}$/.test(candidate)) continue;
    const given = Buffer.from(candidate, 'hex');
    for (const digest of expected) {
      // Equal lengths (32 bytes) by construction; every pair is compared, no early exit on a match.
      if (given.length === digest.length && timingSafeEqual(given, digest)) matched = true;
    }
  }
  if (!matched) {
    throw new BankSignatureError(
      `no ${BANK_SIGNATURE_HEADER} v1 value matches the payload (wrong secret, or the body was changed after signing)`,
    );
  }
}
