import { createHmac, timingSafeEqual } from 'node:crypto';
import type { LinkKeys } from '../links.ts';

/**
 * The portal's sign-in and session rules (pure: the caller passes `now` and the random parts).
 *
 * One-time sign-in token (the link mailed on `POST /portal/login`), signed and recorded:
 *
 *   `login.<keyId>.<expiresAt, epoch seconds>.<nonce, base64url>.<HMAC-SHA256, base64url>`
 *
 * The HMAC (the link key ring's key `keyId`) covers the token's purpose, the customer id, the expiry and the nonce, so a
 * forged or altered token is refused before any read; the nonce's SHA-256 is the key of the record that makes it
 * one-time (deleted by a conditional write when spent). The staff console signs its sign-in tokens with the same
 * rules and a purpose of its own (../console/session-rules.ts), so a portal token is never a console token.
 */
export const LOGIN_TOKEN_LIFETIME_MS = 15 * 60_000;
export const SESSION_IDLE_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/** The idle expiry moves at most once a minute (one write a minute for a busy session, not one per request). */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** Sign-in rate limits, per fixed 15-minute window: mails per address, requests per client (IP). */
export const LOGIN_WINDOW_MS = 15 * 60_000;
export const LOGIN_MAILS_PER_ADDRESS = 3;
export const LOGIN_REQUESTS_PER_CLIENT = 20;
/** At most this many accounts (customers sharing one address) are offered in one sign-in mail. */
export const LOGIN_MAX_ACCOUNTS = 10;

export const SESSION_COOKIE = 'portal_session';

/** What a sign-in token signs in to (part of its MAC). */
export type LoginPurpose = 'portal-login' | 'console-login';

function mac(secret: string, purpose: LoginPurpose, keyId: string, subjectId: string, exp: number, nonce: string): Buffer {
  return createHmac('sha256', secret).update(JSON.stringify([purpose, keyId, subjectId, exp, nonce])).digest();
}

/** A one-time sign-in token for `subjectId` (a customer's id; a staff member's with purpose `console-login`). */
export function signLoginToken(keys: LinkKeys, subjectId: string, nonce: string, now: Date, purpose: LoginPurpose = 'portal-login'): string {
  const secret = keys.secrets[keys.current];
  if (!secret) throw new Error(`link key ${keys.current} is not in the key ring`);
  const exp = Math.floor((now.getTime() + LOGIN_TOKEN_LIFETIME_MS) / 1000);
  return `login.${keys.current}.${exp}.${nonce}.${mac(secret, purpose, keys.current, subjectId, exp, nonce).toString('base64url')}`;
}

const LOGIN = /^login\.(v[0-9]{1,4})\.([0-9]{1,12})\.([A-Za-z0-9_-]{16,64})\.([A-Za-z0-9_-]{43})$/;

export function isLoginToken(token: string): boolean {
  return token.startsWith('login.');
}

export type LoginTokenCheck = { state: 'invalid' } | { state: 'expired' | 'valid'; nonce: string; expiresAt: Date };

export function checkLoginToken(keys: LinkKeys, subjectId: string, token: string, now: Date, purpose: LoginPurpose = 'portal-login'): LoginTokenCheck {
  const m = LOGIN.exec(token);
  if (!m) return { state: 'invalid' };
  const [, keyId, expText, nonce, given] = m as unknown as [string, string, string, string, string];
  const secret = Object.hasOwn(keys.secrets, keyId) ? keys.secrets[keyId] : undefined;
  if (!secret) return { state: 'invalid' };
  const exp = Number(expText);
  // Compared as text: base64url's last character carries 2 unused bits, so decoding would accept 4 spellings of one MAC.
  const expected = Buffer.from(mac(secret, purpose, keyId, subjectId, exp, nonce).toString('base64url'));
  const givenText = Buffer.from(given);
  if (givenText.length !== expected.length || !timingSafeEqual(givenText, expected)) return { state: 'invalid' };
  const expiresAt = new Date(exp * 1000);
  return { state: now.getTime() >= expiresAt.getTime() ? 'expired' : 'valid', nonce, expiresAt };
}

/** Whether a session is live at `now`: before both its idle and its absolute expiry. */
export function sessionLive(session: { idleUntil: string; absoluteUntil: string }, now: Date): boolean {
  const t = now.getTime();
  return t < new Date(session.idleUntil).getTime() && t < new Date(session.absoluteUntil).getTime();
}

/** The idle expiry after a request at `now` (never past the absolute expiry); `idleMs` is the console's for staff. */
export function nextIdleExpiry(session: { absoluteUntil: string }, now: Date, idleMs = SESSION_IDLE_MS): string {
  return new Date(Math.min(now.getTime() + idleMs, new Date(session.absoluteUntil).getTime())).toISOString();
}

/** Whether a request at `now` moves the idle expiry (at most once a minute). */
export function touchDue(session: { lastSeenAt: string }, now: Date): boolean {
  return now.getTime() - new Date(session.lastSeenAt).getTime() >= SESSION_TOUCH_INTERVAL_MS;
}

/** Secure cookies everywhere except a plain-http local base URL (browsers drop Secure cookies over http). */
export function cookieSecure(publicBaseUrl: string): boolean {
  return !/^http:\/\/(localhost|127\.0\.0\.1)(:[0-9]+)?(\/|$)/i.test(publicBaseUrl.trim());
}

/** A session cookie (portal or console): HttpOnly, on its path, lasting `maxAgeMs` (0 clears it), Secure when asked. */
export function sessionCookieHeader(spec: { name: string; path: string; sameSite: 'Lax' | 'Strict' }, token: string, maxAgeMs: number, secure: boolean): string {
  return `${spec.name}=${token}; Path=${spec.path}; HttpOnly; SameSite=${spec.sameSite}; Max-Age=${maxAgeMs / 1000}${secure ? '; Secure' : ''}`;
}

const PORTAL_COOKIE = { name: SESSION_COOKIE, path: '/portal', sameSite: 'Lax' } as const;

export function sessionCookie(token: string, secure: boolean): string {
  return sessionCookieHeader(PORTAL_COOKIE, token, SESSION_ABSOLUTE_MS, secure);
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookieHeader(PORTAL_COOKIE, '', 0, secure);
}

/** The session token from the request's cookies (payload 2.0 `cookies`: `name=value` strings). */
export function sessionTokenOf(cookies: readonly string[]): string | undefined {
  return cookieTokenOf(cookies, SESSION_COOKIE);
}

/** A session token (43 base64url characters) in the cookie `name` of the request's cookies; the console's too. */
export function cookieTokenOf(cookies: readonly string[], name: string): string | undefined {
  for (const entry of cookies) {
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === name) {
        const value = part.slice(eq + 1).trim();
        if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
      }
    }
  }
  return undefined;
}
