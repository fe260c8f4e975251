/**
 * The console's session cookie (pure). Like the portal's (../portal/session-rules.ts: an opaque random token, only its
 * SHA-256 stored; idle and absolute expiry), but its own name and path, and SameSite=Strict: staff never arrive
 * signed in from another site (the mailed sign-in link lands on a one-button page whose same-site POST sets it).
 */
import { cookieSecure } from '../portal/session-rules.ts';

export { cookieSecure };

export const CONSOLE_COOKIE = 'console_session';
/** A working day: idle 30 minutes, at most 10 hours. */
export const CONSOLE_IDLE_MS = 30 * 60_000;
export const CONSOLE_ABSOLUTE_MS = 10 * 60 * 60_000;

export function consoleCookie(token: string, secure: boolean): string {
  return `${CONSOLE_COOKIE}=${token}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${CONSOLE_ABSOLUTE_MS / 1000}${secure ? '; Secure' : ''}`;
}

export function clearedConsoleCookie(secure: boolean): string {
  return `${CONSOLE_COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0${secure ? '; Secure' : ''}`;
}

/** The console session token from the request's cookies (payload 2.0 `cookies`: `name=value` strings). */
export function consoleTokenOf(cookies: readonly string[]): string | undefined {
  for (const entry of cookies) {
    for (const part of entry.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() === CONSOLE_COOKIE) {
        const value = part.slice(eq + 1).trim();
        if (/^[A-Za-z0-9_-]{43}$/.test(value)) return value;
      }
    }
  }
  return undefined;
}
