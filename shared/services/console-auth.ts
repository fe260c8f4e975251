/**
 * Signing in to the staff console: the staff directory (admin API), the sign-in mail (one-time links to active
 * members only; the same answer for any address), the session from a mailed link, the live session of a request,
 * sign-out. Tokens and cookies never reach a log line; staff are logged by id, never by address.
 *
 * CONTRACT (the edge, shared/http/console.ts, relies on `staffSessionOf`): TO BE BUILT by the console sign-in work —
 * until then no request has a session and every signed-in console page redirects to the sign-in form.
 */
import type { StaffMember } from '../domain/console/staff.ts';

export interface ConsoleSessionView {
  /** SHA-256 (hex) of the cookie token. */
  id: string;
  staffId: string;
  /** The per-session CSRF token every POST form carries. */
  csrf: string;
}

/**
 * The live session a cookie token stands for, with its member: undefined when unknown, past its idle or absolute
 * expiry, the member removed, or the member's session version moved since it began.
 */
export async function staffSessionOf(cookieToken: string | undefined, _now: Date): Promise<{ session: ConsoleSessionView; staff: StaffMember } | undefined> {
  if (!cookieToken) return undefined;
  return undefined;
}
