import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed customer links (no login: the link is the credential). A token signs what the link opens — its purpose and
 * subject (an invoice for `pay`; a customer, plus a context for `feedback`) — together with an expiry, the customer's
 * link version and the id of the key that signed it:
 *
 *   `<keyId>.<expiresAt, epoch seconds>.<linkVersion>.<HMAC-SHA256, base64url>`   e.g. `v1.1767225600.0.Xy…`
 *
 * - Expiry: each purpose has its lifetime (`LINK_LIFETIME_DAYS`); a mail's links expire that long after it was written.
 * - Revocation: the customer item carries `linkVersion` (absent = 0). Bumping it revokes every link issued to that
 *   customer before, without touching the secret (and so without touching anyone else's links).
 * - Rotation: the key id names the secret in a key ring. New links are signed with the current key; a link signed
 *   with an older key that is still in the ring verifies until it expires; a key id not in the ring is refused.
 * - Old-format tokens (a bare 32-character HMAC of `purpose:subject`, issued before links expired) are recognised
 *   (verified with the current key) but never accepted: they count as expired (revoked once the customer's link
 *   version moved), so the customer gets the page that offers a fresh link rather than "invalid".
 *
 * Verification is constant-time over the MAC. Pure: the caller passes `now`.
 */
export type LinkPurpose = 'pay' | 'feedback' | 'preferences' | 'plan-request' | 'portal';
export const LINK_PURPOSES: readonly LinkPurpose[] = ['pay', 'feedback', 'preferences', 'plan-request', 'portal'];

/**
 * How long a link lives, per purpose (days from the mail that carries it). A pay link lives as long as a typical
 * dunning cycle (reminders keep sending fresh ones); a rating is about a recent payment or plan.
 */
export const LINK_LIFETIME_DAYS: Readonly<Record<LinkPurpose, number>> = {
  pay: 60,
  preferences: 60,
  'plan-request': 60,
  feedback: 30,
  // "View your account" in a mail: signs that customer in to the portal (the one-button page, then a session).
  portal: 30,
};

/** The key ring: secrets by key id, and the id new links are signed with. */
export interface LinkKeys {
  current: string;
  secrets: Readonly<Record<string, string>>;
}

/** What a link opens. `id` is the invoice id for `pay`, else the customer id; `context` only for `feedback`. */
export interface LinkTarget {
  purpose: LinkPurpose;
  id: string;
  context?: string;
}

export function linkSubject(target: LinkTarget): string {
  return target.purpose === 'feedback' ? `${target.id}:${target.context ?? ''}` : target.id;
}

const DAY_MS = 86_400_000;

export function linkExpiry(purpose: LinkPurpose, issuedAt: Date): Date {
  return new Date(issuedAt.getTime() + LINK_LIFETIME_DAYS[purpose] * DAY_MS);
}

function mac(secret: string, keyId: string, target: LinkTarget, expiresAtSeconds: number, version: number): Buffer {
  return createHmac('sha256', secret).update(JSON.stringify([keyId, target.purpose, linkSubject(target), expiresAtSeconds, version])).digest();
}

export function signLinkToken(keys: LinkKeys, target: LinkTarget, options: { version: number; expiresAt: Date }): string {
  const secret = keys.secrets[keys.current];
  if (!secret) throw new Error(`link key ${keys.current} is not in the key ring`);
  if (!Number.isSafeInteger(options.version) || options.version < 0) throw new Error('link version must be a non-negative integer');
  const exp = Math.floor(options.expiresAt.getTime() / 1000);
  return `${keys.current}.${exp}.${options.version}.${mac(secret, keys.current, target, exp, options.version).toString('base64url')}`;
}

/** Signs a link for `purpose` issued at `now`, expiring after the purpose's lifetime. */
export function issueLinkToken(keys: LinkKeys, target: LinkTarget, version: number, now: Date): string {
  return signLinkToken(keys, target, { version, expiresAt: linkExpiry(target.purpose, now) });
}

/** The signature check alone (before any read): authentic or not, and if so its version and whether it expired. */
export type LinkCheck =
  | { authentic: false }
  | { authentic: true; legacy: false; keyId: string; version: number; expiresAt: Date; expired: boolean }
  | { authentic: true; legacy: true };

const TOKEN = /^(v[0-9]{1,4})\.([0-9]{1,12})\.([0-9]{1,9})\.([A-Za-z0-9_-]{43})$/;
const LEGACY = /^[A-Za-z0-9_-]{32}$/;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function legacyToken(purpose: LinkPurpose, subject: string, secret: string): string {
  return createHmac('sha256', secret).update(`${purpose}:${subject}`).digest('base64url').slice(0, 32);
}

export function checkLinkToken(keys: LinkKeys, target: LinkTarget, token: string | undefined, now: Date): LinkCheck {
  if (!token) return { authentic: false };
  const m = TOKEN.exec(token);
  if (m) {
    const [, keyId, expText, versionText, given] = m as unknown as [string, string, string, string, string];
    const secret = Object.hasOwn(keys.secrets, keyId) ? keys.secrets[keyId] : undefined;
    if (!secret) return { authentic: false };
    const exp = Number(expText);
    const version = Number(versionText);
    // Compared as text: base64url's last character carries 2 unused bits, so decoding would accept 4 spellings of one MAC.
    if (!sameBytes(Buffer.from(given), Buffer.from(mac(secret, keyId, target, exp, version).toString('base64url')))) return { authentic: false };
    const expiresAt = new Date(exp * 1000);
    return { authentic: true, legacy: false, keyId, version, expiresAt, expired: now.getTime() >= expiresAt.getTime() };
  }
  const current = keys.secrets[keys.current];
  if (current && LEGACY.test(token) && sameBytes(Buffer.from(token), Buffer.from(legacyToken(target.purpose, linkSubject(target), current)))) {
    return { authentic: true, legacy: true };
  }
  return { authentic: false };
}

export type LinkState = 'valid' | 'expired' | 'revoked' | 'invalid';

/**
 * What a checked link is worth against the customer's current link version: revoked (issued before the last
 * revocation) wins over expired; an old-format token is expired (revoked once the version moved past 0).
 */
export function linkState(check: LinkCheck, currentVersion: number): LinkState {
  if (!check.authentic) return 'invalid';
  if (check.legacy) return currentVersion > 0 ? 'revoked' : 'expired';
  if (check.version !== currentVersion) return 'revoked';
  return check.expired ? 'expired' : 'valid';
}

// ---------------------------------------------------------------------------------------------------------------
// URLs

const base = (b: string) => b.replace(/\/+$/, '');

/** The URL a link opens (`r` preselects a rating on the feedback page; it is not signed and records nothing). */
export function linkUrl(baseUrl: string, target: LinkTarget, token: string, extra: { r?: number } = {}): string {
  const id = encodeURIComponent(target.id);
  const t = encodeURIComponent(token);
  switch (target.purpose) {
    case 'pay':
      return `${base(baseUrl)}/pay/${id}?t=${t}`;
    case 'feedback':
      return `${base(baseUrl)}/feedback/${id}?c=${encodeURIComponent(target.context ?? '')}${extra.r !== undefined ? `&r=${extra.r}` : ''}&t=${t}`;
    case 'preferences':
      return `${base(baseUrl)}/preferences/${id}?t=${t}`;
    case 'plan-request':
      return `${base(baseUrl)}/plan-request/${id}?t=${t}`;
    case 'portal':
      return `${base(baseUrl)}/portal/session?c=${id}${target.context ? `&n=${encodeURIComponent(target.context)}` : ''}&t=${t}`;
  }
}

/** The ratings a feedback link offers. */
export const RATINGS = [1, 2, 3, 4, 5] as const;

/** One link per rating 1–5 for a context (`payment:<id>`, `plan:<id>`): each opens the rating page with it chosen. */
export function feedbackLinks(baseUrl: string, customerId: string, context: string, token: string): string[] {
  return RATINGS.map((r) => linkUrl(baseUrl, { purpose: 'feedback', id: customerId, context }, token, { r }));
}

/** A rating from a form: a whole number 1–5 written plainly, else undefined. */
export function parseRating(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || !/^[1-5]$/.test(value.trim())) return undefined;
  return Number(value.trim());
}
