/**
 * Signing in to the staff console: the staff directory (admin API), the sign-in mail (one-time links to active
 * members only; the same answer for any address), the session from a mailed link, the live session of a request,
 * sign-out. Tokens and cookies never reach a log line; staff are logged by id, never by address.
 *
 * The pieces are the portal's (shared/store/sessions.ts in the `console` realm, the token rules of
 * shared/domain/portal/session-rules.ts under the purpose `console-login`), with the console's own keys, cookie and
 * expiry. A member's sessions and unspent links end when the member is removed (the member is read on every request)
 * or their session version moves; a member removed and added again starts afresh (sessions and links carry the
 * member's `createdAt`).
 *
 * The sign-in mail goes straight to SES (kind `console_login`), not through the customer mail outbox: the member is
 * not a customer, and a lost sign-in mail is simply asked for again.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sendMail } from '../adapters/mailer.ts';
import { branding, publicBaseUrl } from '../config/runtime.ts';
import {
  checkConsoleLoginToken,
  CONSOLE_ABSOLUTE_MS,
  CONSOLE_IDLE_MS,
  CONSOLE_LOGIN_MAILS_PER_ADDRESS,
  CONSOLE_LOGIN_REQUESTS_PER_CLIENT,
  CONSOLE_LOGIN_WINDOW_MS,
  LOGIN_TOKEN_LIFETIME_MS,
  nextConsoleIdleExpiry,
  sessionLive,
  signConsoleLoginToken,
  touchDue,
} from '../domain/console/session-rules.ts';
import { consoleLoginMail, type ConsoleSignInProblem } from '../domain/console/sign-in.ts';
import { STAFF_ROLES, type StaffMember } from '../domain/console/staff.ts';
import { errorForLog, logger } from '../logger.ts';
import { countHit, deleteSession, getSession, putLoginToken, putSession, spendLoginToken, touchSession, type ConsoleSession } from '../store/sessions.ts';
import { deleteStaffMember, getStaffMember, putStaffMember, staffPage } from '../store/staff.ts';
import { isSuppressed, normaliseAddress } from '../store/suppression.ts';
import { cursorScope, decodeCursor, encodeCursor, MAX_CURSOR_CHARS } from './cursor.ts';
import { Conflict, NotFound } from './errors.ts';
import { stableId } from './ids.ts';
import { linkKeys } from './links.ts';

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');
const randomToken = () => randomBytes(32).toString('base64url');

// ---- The staff directory (admin API) ------------------------------------------------------------------------------

/** `POST /staff`. */
export const newStaffMemberSchema = z
  .object({
    email: z.email().max(254).describe('the work address the sign-in links are mailed to'),
    name: z.string().trim().min(1).max(200).describe('the name the console shows (and records actions under)'),
    role: z.enum(STAFF_ROLES).describe('collector: reads and acts; viewer: reads only'),
  })
  .strict();

/** `GET /staff`. */
export const staffListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(50),
    cursor: z.string().max(MAX_CURSOR_CHARS).optional(),
  })
  .strict();

/** A member's id: stable for an address (whatever its case or surrounding spaces). */
export function staffIdFor(email: string): string {
  return stableId('stf', normaliseAddress(email));
}

/**
 * Adds a member (`created`), or answers the member already there when the request says the same (a retry); an
 * address already a member under another name or role is a 409 naming the field (no silent change: removing and
 * adding again changes a member, and ends their sessions).
 */
export async function addStaffMember(input: z.infer<typeof newStaffMemberSchema>, now: Date): Promise<{ member: StaffMember; created: boolean }> {
  const email = normaliseAddress(input.email);
  const candidate: StaffMember = { id: staffIdFor(email), email, name: input.name, role: input.role, sessionVersion: 0, createdAt: now.toISOString(), version: 0 };
  const { member, created } = await putStaffMember(candidate);
  if (!created) {
    for (const field of ['name', 'role'] as const) {
      if (member[field] !== candidate[field]) {
        throw new Conflict('staff_member_exists', `${field}: this address is already a member with another ${field}; remove the member first to change it`, field);
      }
    }
  }
  if (created) logger.info('staff member added', { staffId: member.id, role: member.role });
  return { member, created };
}

export async function staffDirectoryPage(q: z.infer<typeof staffListQuery>) {
  const scope = cursorScope('GET /staff');
  const page = await staffPage(q.limit, await decodeCursor(scope, q.cursor));
  return { items: page.items, nextCursor: await encodeCursor(scope, page.lastKey) };
}

/** Removes a member: their sessions and unspent sign-in links stop working at once. */
export async function removeStaffMember(id: string): Promise<void> {
  const removed = await deleteStaffMember(id);
  if (!removed) throw new NotFound(`staff member ${id} not found`);
  logger.info('staff member removed', { staffId: id });
}

// ---- Signing in -----------------------------------------------------------------------------------------------------

export type ConsoleSignInOutcome = 'sent' | 'unknown' | 'suppressed' | 'address_limited' | 'client_limited' | 'mail_failed';

/**
 * `POST /console/login`: mails a one-time sign-in link to a member of the directory. The caller answers the same
 * page whatever the outcome, except `client_limited` (429: one client asking too often, whatever the address). SES
 * refusing the mail is `mail_failed` (logged), not an error: a 500 would tell the address is a member's; the member
 * asks again.
 */
export async function requestConsoleSignIn(email: string, clientIp: string, now: Date): Promise<ConsoleSignInOutcome> {
  if ((await countHit(`console-login-client#${sha256(clientIp)}`, CONSOLE_LOGIN_WINDOW_MS, now)) > CONSOLE_LOGIN_REQUESTS_PER_CLIENT) return 'client_limited';
  const address = normaliseAddress(email);
  if ((await countHit(`console-login-address#${sha256(address)}`, CONSOLE_LOGIN_WINDOW_MS, now)) > CONSOLE_LOGIN_MAILS_PER_ADDRESS) return 'address_limited';
  const member = await getStaffMember(staffIdFor(address));
  if (!member) return 'unknown';
  if (await isSuppressed(address)) return 'suppressed';
  const nonce = randomToken();
  const expiresAt = new Date(now.getTime() + LOGIN_TOKEN_LIFETIME_MS);
  await putLoginToken(
    sha256(nonce),
    { staffId: member.id, sessionVersion: member.sessionVersion, staffSince: member.createdAt, issuedAt: now.toISOString(), validUntil: expiresAt.toISOString() },
    'console',
  );
  const token = signConsoleLoginToken(await linkKeys(), member.id, nonce, now);
  const href = `${publicBaseUrl().replace(/\/+$/, '')}/console/session?s=${encodeURIComponent(member.id)}&t=${encodeURIComponent(token)}`;
  const mail = consoleLoginMail({ staffName: member.name, href, expiresAt, brand: branding() });
  try {
    await sendMail({ to: member.email, subject: mail.subject, html: mail.html, text: mail.text, kind: 'console_login' });
  } catch (error) {
    logger.warn('console sign-in mail not sent', { staffId: member.id, error: errorForLog(error) });
    return 'mail_failed';
  }
  logger.info('console sign-in link sent', { staffId: member.id });
  return 'sent';
}

/** Why a mailed link did not open a session (the edge renders the page: expired/used 410, revoked/invalid 403). */
export class ConsoleSignInRefused extends Error {
  constructor(readonly state: ConsoleSignInProblem) {
    super(`console sign-in link ${state}`);
  }
}

/** Checks a mailed link without spending anything (the one-button page of `GET /console/session`): its member. */
export async function checkConsoleSignInLink(staffId: string, token: string, now: Date): Promise<StaffMember> {
  if (!staffId || !token || staffId.length > 200 || token.length > 400) throw new ConsoleSignInRefused('invalid');
  const check = checkConsoleLoginToken(await linkKeys(), staffId, token, now);
  if (check.state === 'invalid') throw new ConsoleSignInRefused('invalid');
  // An authentic link of a member since removed: refused as revoked.
  const member = await getStaffMember(staffId);
  if (!member) throw new ConsoleSignInRefused('revoked');
  if (check.state === 'expired') throw new ConsoleSignInRefused('expired');
  return member;
}

/**
 * `POST /console/session`: spends a one-time sign-in link (a conditional delete: it works once) and starts a session.
 * The cookie token is returned once, to be set; only its SHA-256 is stored.
 */
export async function startConsoleSession(staffId: string, token: string, now: Date): Promise<{ token: string; session: ConsoleSession; staff: StaffMember }> {
  const staff = await checkConsoleSignInLink(staffId, token, now);
  const check = checkConsoleLoginToken(await linkKeys(), staffId, token, now);
  if (check.state !== 'valid') throw new ConsoleSignInRefused('invalid');
  const record = await spendLoginToken(sha256(check.nonce), staffId, 'console');
  if (!record) throw new ConsoleSignInRefused('used');
  if (record.sessionVersion !== staff.sessionVersion || record.staffSince !== staff.createdAt) throw new ConsoleSignInRefused('revoked');
  const cookieToken = randomToken();
  const session: ConsoleSession = {
    id: sha256(cookieToken),
    staffId: staff.id,
    csrf: randomToken(),
    sessionVersion: staff.sessionVersion,
    staffSince: staff.createdAt,
    createdAt: now.toISOString(),
    lastSeenAt: now.toISOString(),
    idleUntil: new Date(now.getTime() + CONSOLE_IDLE_MS).toISOString(),
    absoluteUntil: new Date(now.getTime() + CONSOLE_ABSOLUTE_MS).toISOString(),
  };
  await putSession(session, 'console');
  logger.info('console session started', { staffId: staff.id });
  return { token: cookieToken, session, staff };
}

export interface ConsoleSessionView {
  /** SHA-256 (hex) of the cookie token. */
  id: string;
  staffId: string;
  /** The per-session CSRF token every POST form carries. */
  csrf: string;
}

/**
 * The live session a cookie token stands for, with its member: undefined when unknown, past its idle or absolute
 * expiry, the member removed, or the member's session version moved since it began. Moves the idle expiry at most
 * once a minute.
 */
export async function staffSessionOf(cookieToken: string | undefined, now: Date): Promise<{ session: ConsoleSessionView; staff: StaffMember } | undefined> {
  if (!cookieToken) return undefined;
  const session = await getSession(sha256(cookieToken), 'console');
  if (!session || !sessionLive(session, now)) return undefined;
  const staff = await getStaffMember(session.staffId);
  if (!staff || staff.sessionVersion !== session.sessionVersion || staff.createdAt !== session.staffSince) return undefined;
  if (touchDue(session, now) && !(await touchSession(session, now, nextConsoleIdleExpiry(session, now), 'console'))) return undefined;
  return { session: { id: session.id, staffId: session.staffId, csrf: session.csrf }, staff };
}

/** `POST /console/logout`: the session item is deleted (the cookie is cleared by the route). */
export async function endConsoleSession(sessionId: string): Promise<void> {
  await deleteSession(sessionId, 'console');
}
