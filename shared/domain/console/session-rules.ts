/**
 * The console's sign-in token and session cookie (pure). Like the portal's (../portal/session-rules.ts, whose rules
 * these reuse: an opaque random token, only its SHA-256 stored; idle and absolute expiry), but the token has a purpose
 * of its own, and the cookie its own name and path, and SameSite=Strict: staff never arrive signed in from another
 * site (the mailed sign-in link lands on a one-button page whose same-site POST sets it).
 */
import type { LinkKeys } from '../links.ts';
import { checkLoginToken, cookieSecure, cookieTokenOf, LOGIN_TOKEN_LIFETIME_MS, nextIdleExpiry, sessionCookieHeader, sessionLive, signLoginToken, touchDue, type LoginTokenCheck } from '../portal/session-rules.ts';

export { cookieSecure, LOGIN_TOKEN_LIFETIME_MS, sessionLive, touchDue, type LoginTokenCheck };

/**
 * The console's one-time sign-in token: the portal's format and rules (15 minutes, HMAC of the link key ring, one-time
 * by a recorded nonce) under a purpose of its own (`console-login`, in the MAC), so a portal sign-in token for a
 * customer can never open a console session, nor the other way round.
 */
export function signConsoleLoginToken(keys: LinkKeys, staffId: string, nonce: string, now: Date): string {
  return signLoginToken(keys, staffId, nonce, now, 'console-login');
}

export function checkConsoleLoginToken(keys: LinkKeys, staffId: string, token: string, now: Date): LoginTokenCheck {
  return checkLoginToken(keys, staffId, token, now, 'console-login');
}

/** Sign-in rate limits, per fixed 15-minute window: mails per address, requests per client (IP). */
export const CONSOLE_LOGIN_WINDOW_MS = 15 * 60_000;
export const CONSOLE_LOGIN_MAILS_PER_ADDRESS = 3;
export const CONSOLE_LOGIN_REQUESTS_PER_CLIENT = 20;

export const CONSOLE_COOKIE = 'console_session';
/** A working day: idle 30 minutes, at most 10 hours. */
export const CONSOLE_IDLE_MS = 30 * 60_000;
export const CONSOLE_ABSOLUTE_MS = 10 * 60 * 60_000;

/** The idle expiry of a console session after a request at `now` (never past its absolute expiry). */
export function nextConsoleIdleExpiry(session: { absoluteUntil: string }, now: Date): string {
  return nextIdleExpiry(session, now, CONSOLE_IDLE_MS);
}

const CONSOLE_COOKIE_SPEC = { name: CONSOLE_COOKIE, path: '/console', sameSite: 'Strict' } as const;

export function consoleCookie(token: string, secure: boolean): string {
  return sessionCookieHeader(CONSOLE_COOKIE_SPEC, token, CONSOLE_ABSOLUTE_MS, secure);
}

export function clearedConsoleCookie(secure: boolean): string {
  return sessionCookieHeader(CONSOLE_COOKIE_SPEC, '', 0, secure);
}

/** The console session token from the request's cookies (payload 2.0 `cookies`: `name=value` strings). */
export function consoleTokenOf(cookies: readonly string[]): string | undefined {
  return cookieTokenOf(cookies, CONSOLE_COOKIE);
}
